"""Diff desired against live state and order the changes into a Plan."""
