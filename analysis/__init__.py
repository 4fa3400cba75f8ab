"""Pure scoring for Zona Integritas surveys: no web framework, no database.

Glossary (terms of PermenPANRB 14/2017 and the ZI guidelines, used as they are):

unsur / indikator
    One item of an instrument (``U1``..``U9`` for the SKM, ``AK1``..``AK5``, ``PK1``..``PK8``).
NRR (nilai rata-rata)
    Mean answer to one item over the respondents who answered it; blanks are excluded.
indeks
    Mean of the item NRRs with the exact weight 1/k, on the 1-4 scale (IKM, IPAK, IPKP).
nilai
    indeks x 25, on 25-100; the figure that is published and classified.
mutu, kinerja
    The letter A-D and its wording (Sangat baik .. Tidak baik) from the nilai bands.
layanan
    A service of a unit; *kebutuhan utama* services need 30 respondents a month, others 15.
LKE, pengungkit, hasil
    The ZI evaluation sheet, its enabler part (60 points) and its result part (40 points).
WBK, WBBM
    The predikat Wilayah Bebas dari Korupsi and Wilayah Birokrasi Bersih dan Melayani.

Everything compared with a threshold is computed with :class:`fractions.Fraction` and rounded
half-up only when it is reported (:func:`analysis.exact.round_half_up`).
"""

# Below this size a CSV is read by pandas' own parser and pyarrow is never needed; at and above
# it the fast reader of :mod:`analysis.tables` may take it (issue 20). Here, with no import, so
# the command line can decide before pandas loads (:mod:`survey_app.entry`).
FAST_MIN_BYTES = 4 << 20
