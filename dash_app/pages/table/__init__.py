"""The table area's pages, their ids and sections."""
