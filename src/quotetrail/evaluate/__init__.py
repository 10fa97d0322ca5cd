"""Measuring instruments: corpus readers/writers and scorers for quotations and time expressions."""
