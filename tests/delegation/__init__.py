"""Acting officials (Plt./Plh.): delegation windows, screens, traces."""
