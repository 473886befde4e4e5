"""Applicant self-service: online registration, own data and cases, the counter's NIK search."""
