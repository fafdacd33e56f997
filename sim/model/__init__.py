"""Model rules, one module per family (DESIGN.md section 3)."""
