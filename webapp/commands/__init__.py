"""CLI commands, one module per group; registered by webapp.cli."""
