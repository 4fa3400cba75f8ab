"""The follow-up of survey results (tindak lanjut, REGULATION §8)."""
