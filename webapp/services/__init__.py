"""Services: every query and transaction lives here; views call one service and render."""
