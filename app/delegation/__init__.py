"""Acting officials (Plt./Plh.): a role's step permissions delegated to a user for a period.

`service` holds the rules (who may appoint, what is valid) and writes the rows
and audit entries; `effective` is the one place a delegation takes effect.
"""
