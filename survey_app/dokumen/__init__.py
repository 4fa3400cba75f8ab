"""Documents built from the services' content: the SKM report as DOCX and PDF, and the LKE
evidence pack (REGULATION §8). One list of blocks (:mod:`.blok`) says what a report holds;
:mod:`.docx` and :mod:`.pdf` only lay it out, so the two files never say different things."""
