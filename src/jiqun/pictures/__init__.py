"""Static pictures for reports (SVG and PNG), drawn from tables the analytics return."""
