"""The citizen area's pages, their ids and sections."""
