"""The shell area's pages, their ids and sections."""
