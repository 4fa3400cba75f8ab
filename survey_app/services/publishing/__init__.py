"""What a unit shows the public: frozen publications, their print and social artefacts, QR."""
