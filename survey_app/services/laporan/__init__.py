"""The SKM report of a unit and period (REGULATION §8): its content from the same tallies as the
dashboard, the register of follow-up, the reasons respondents gave and the publications, and
the free texts staff write over their defaults. Rendering (DOCX, PDF) lives in
``survey_app.dokumen``; this package only gathers what the report says."""
