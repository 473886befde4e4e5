"""Operations an administrator runs from the command line (backup and restore)."""
