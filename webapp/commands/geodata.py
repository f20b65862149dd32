"""placeholder"""
import click
@click.group("geodata")
def geodata_group() -> None:
    """Perimeters."""
