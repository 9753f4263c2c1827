"""Carry out a Plan through the CRM client: tests, writes, verification."""
