"""Cluster bus: carries events and cache invalidations between processes (in-process or Redis)."""
