"""Renderers of an Assessment: JSON now; PDF, HTML and the workbook follow the same model."""
