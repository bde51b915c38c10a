"""The governorate area's pages, their ids and sections."""
