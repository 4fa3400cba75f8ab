"""Zona Integritas readiness: LKE points from the survey indices against WBK and WBBM."""
