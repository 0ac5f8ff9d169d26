"""Escalation services: the convenant, deadlines, the route's steps, the sweep, notifications."""
