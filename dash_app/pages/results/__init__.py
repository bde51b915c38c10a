"""Pages of a project's results (issue 22): the chair's editor of targets, milestones and progress, the
governorate's "make it a model pilot", the public gallery of model pilots and each pilot's page."""
