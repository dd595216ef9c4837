"""Compensation: models with effective-dated versions, statements, the simulator, the effect premium."""
