"""Figures for staff: tallies, the dashboard of a period, rekaps and exports, background jobs."""
