"""The pb area's pages, their ids and sections."""
