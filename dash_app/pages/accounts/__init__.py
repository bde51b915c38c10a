"""The accounts area's pages, their ids and sections."""
