"""Staff forms."""

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    Field,
    HiddenField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from analysis.periods import check_month
from survey_app.filters import TL_STATUS
from survey_app.formtext import Form


class WholeNumberField(IntegerField):
    """A count typed in ASCII digits only (Python's int() would take ٣٠ or ³⁰ as well)."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        if valuelist and not (str(valuelist[0]).strip().isascii()):
            self.data = None
            raise ValueError(_l("Tulis angka bulat dengan angka 0-9, misalnya 350."))
        super().process_formdata(valuelist)


class Month:
    """A month written YYYY-MM, of 2000-2099, nothing after it (``analysis.periods``)."""

    def __call__(self, form: FlaskForm, field: Field) -> None:
        try:
            check_month(field.data or "")
        except ValueError as exc:
            raise ValidationError(_l("Bulan: tulis seperti 2026-11.")) from exc


class LoginForm(Form):
    username = StringField(_l("Nama pengguna"), validators=[InputRequired(), Length(max=64)])
    password = PasswordField(_l("Kata sandi"), validators=[InputRequired(), Length(max=200)])


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class LayananForm(Form):
    kode = StringField(_l("Kode"), validators=[Optional(), Length(max=20)])
    nama = StringField(_l("Nama layanan"), validators=[InputRequired(), Length(max=200)])
    kebutuhan_utama = BooleanField(_l("Layanan kebutuhan utama (minimal 30 responden sebulan)"))
    aktif = BooleanField(_l("Aktif (formulir menerima jawaban)"), default=True)
    instrumen = MultiCheckboxField(_l("Survei pada formulir"))


class ServedForm(Form):
    period = StringField(
        _l("Bulan"),
        validators=[InputRequired(), Month()],
        description=_l("tulis seperti 2026-11"),
        render_kw={"placeholder": "2026-11"},  # checked on the server, in Indonesian
    )
    jumlah = WholeNumberField(
        _l("Jumlah orang dilayani"), validators=[InputRequired(), NumberRange(0, 10_000_000)]
    )


class AturanForm(Form):
    """The unit's monthly minimum rule (REGULATION §3)."""

    aturan_minimal = RadioField(
        _l("Aturan jumlah minimal responden"),
        choices=[
            SelectChoice(
                "tetap",
                _l("Tetap: 30 responden per bulan untuk layanan kebutuhan utama, 15 untuk lainnya"),
            ),
            SelectChoice(
                "sampel",
                _l("Sampel: besar sampel dari jumlah orang dilayani tiap layanan per bulan"),
            ),
        ],
        validators=[InputRequired()],
    )
    rumus_sampel = RadioField(
        _l("Rumus sampel (untuk aturan sampel)"),
        choices=[
            SelectChoice("krejcie_morgan", "Krejcie-Morgan"),
            SelectChoice("slovin", _l("Slovin (e = 5%)")),
        ],
        validators=[InputRequired()],
    )


class UploadForm(Form):
    berkas = FileField(_l("Berkas jawaban (.csv atau .xlsx)"), validators=[FileRequired()])
    abaikan = StringField(_l("Kolom tambahan yang dilewati (pisahkan dengan koma)"))


class ConfirmForm(Form):
    pass


class ReviewForm(Form):
    keputusan = RadioField(
        _l("Keputusan"),
        choices=[
            SelectChoice("kecualikan", _l("Kecualikan")),
            SelectChoice("pertahankan", _l("Pertahankan")),
        ],
        validators=[InputRequired()],
    )
    alasan = SelectField(_l("Alasan"), validators=[InputRequired()])
    catatan = TextAreaField(_l("Catatan"), validators=[Optional(), Length(max=500)])
    kembali = HiddenField()


class TicketForm(Form):
    jumlah = WholeNumberField(
        _l("Jumlah tiket"), default=16, validators=[InputRequired(), NumberRange(1, 500)]
    )


class LogoForm(Form):
    berkas = FileField(_l("Logo unit (PNG atau JPEG, paling besar 2 MB)"))
    hapus = BooleanField(_l("Hapus logo"))


class PengaduanForm(Form):
    """The unit's own complaint channel, shown after a respondent answers."""

    tautan_pengaduan = StringField(
        _l("Kanal pengaduan unit (WBS atau halaman pengaduan)"),
        description=_l(
            "alamat lengkap, misalnya https://wbs.kemenimipas.go.id; tampil bersama SP4N-LAPOR! "
            "setelah responden mengirim jawaban. Kosongkan untuk menghapus."
        ),
    )


class TanyaAlasanForm(Form):
    """Whether the unit's forms ask "Apa yang perlu diperbaiki?" beside an answer of 1 or 2."""

    tanya_alasan = BooleanField(
        _l('Tanyakan "Apa yang perlu diperbaiki?" di samping jawaban bernilai 1 atau 2'),
        description=_l(
            "Tidak wajib diisi responden; tidak pernah diterbitkan dan tidak masuk indeks."
        ),
    )


class KioskWajahForm(Form):
    """Whether the unit's kiosks show simple faces beside the instrument's answer labels."""

    kiosk_wajah = BooleanField(
        _l("Tampilkan wajah sederhana di samping jawaban pada kios survei"),
        description=_l(
            "Wajah sedih sampai senang di samping label jawaban kuesioner; labelnya tetap tampil."
        ),
    )


ROLE_LABELS = {
    "admin": _l("Admin pusat"),
    "unit_admin": _l("Admin unit"),
    "viewer": _l("Pembaca (hanya melihat)"),
    "petugas": _l("Petugas loket (hanya tiket)"),
}


class AccountForm(Form):
    """A new account (username, role, unit, e-mail) or the change of one (role, unit, e-mail)."""

    username = StringField(
        _l("Nama pengguna"),
        validators=[InputRequired(), Length(max=64)],
        description=_l(
            "huruf kecil a-z, angka, titik, garis bawah atau tanda hubung, misalnya operator.lapas"
        ),
    )
    role = SelectField(_l("Peran"), validators=[InputRequired()])
    unit = SelectField(
        _l("Unit"), validators=[Optional()], description=_l("kosong untuk admin pusat")
    )
    email = StringField(
        _l("Surel (tidak wajib)"),
        validators=[Optional(), Length(max=254)],
        description=_l("untuk tautan atur ulang kata sandi dan ringkasan mingguan"),
    )


class NewPasswordForm(Form):
    password = PasswordField(
        _l("Kata sandi baru"),
        validators=[InputRequired(), Length(max=200)],
        description=_l(
            "paling sedikit 10 karakter, bukan kata sandi umum, tidak memuat nama pengguna"
        ),
    )
    ulang = PasswordField(
        _l("Ulangi kata sandi baru"), validators=[InputRequired(), Length(max=200)]
    )

    def validate_ulang(self, field: Field) -> None:
        if field.data != self.password.data:
            raise ValidationError(_l("Kedua kata sandi tidak sama: ketik ulang."))


class ChangePasswordForm(NewPasswordForm):
    sekarang = PasswordField(
        _l("Kata sandi sekarang"), validators=[InputRequired(), Length(max=200)]
    )


class ForgotForm(Form):
    username = StringField(_l("Nama pengguna"), validators=[InputRequired(), Length(max=64)])


class UnitForm(Form):
    """A unit's details; every check (with its Indonesian message) is the service's."""

    kode = StringField(
        _l("Kode unit"),
        description=_l(
            "Huruf besar, angka dan tanda hubung, misalnya LAPAS-MKS. Tidak dapat diubah "
            "setelah disimpan."
        ),
    )
    nama = StringField(_l("Nama unit"), description=_l("Misalnya Lapas Kelas I Makassar."))
    jenis = SelectField(_l("Jenis unit"), validate_choice=False)
    induk = SelectField(_l("Unit induk"), validate_choice=False)
    zona = SelectField(_l("Zona waktu"), validate_choice=False)
    jam_buka = StringField(_l("Jam buka layanan"), description=_l("Tulis seperti 08:00."))
    jam_tutup = StringField(_l("Jam tutup layanan"), description=_l("Tulis seperti 16:00."))
    kota = StringField(_l("Kota"))
    alamat = StringField(_l("Alamat"))
    kepala = StringField(_l("Nama kepala unit"), description=_l("Untuk tanda tangan laporan."))
    nip_kepala = StringField(
        _l("NIP kepala unit"), description=_l("18 angka, misalnya 197001012000031001.")
    )


class UnitImportForm(Form):
    berkas = FileField(
        _l("Berkas unit dan layanan (.csv atau .xlsx)"),
        validators=[FileRequired(message=_l("Pilih berkas .csv atau .xlsx."))],
    )


TL_STATUS_LABELS = TL_STATUS


class FollowUpForm(Form):
    """An entry of the tindak lanjut register (REGULATION §8's RTL columns, and its record)."""

    unsur = SelectField(_l("Prioritas unsur"), validators=[InputRequired()])
    program = TextAreaField(
        _l("Program/kegiatan"),
        validators=[InputRequired(), Length(max=500)],
        description=_l("apa yang akan dilakukan, misalnya: menambah papan informasi alur layanan"),
    )
    waktu = StringField(
        _l("Waktu"),
        validators=[InputRequired(), Length(max=10)],
        description=_l("bulan seperti 2026-12 atau tanggal seperti 2026-12-15"),
    )
    penanggung_jawab = StringField(
        _l("Penanggung jawab"),
        validators=[InputRequired(), Length(max=200)],
        description=_l("jabatan, bukan nama orang: misalnya Kepala Subseksi Registrasi"),
    )
    status = SelectField(
        _l("Status"),
        choices=[SelectChoice(code, label) for code, label in TL_STATUS_LABELS.items()],
        validators=[InputRequired()],
    )
    hasil = TextAreaField(
        _l("Yang sudah dilakukan"),
        validators=[Optional(), Length(max=2000)],
        description=_l("tidak wajib; isi saat kegiatan berjalan atau selesai"),
    )


class EvidenceForm(Form):
    berkas = FileField(
        _l("Bukti (foto PNG/JPEG atau PDF, paling besar 5 MB)"), validators=[FileRequired()]
    )


class LaporanTeksForm(Form):
    """The free texts of the SKM report for a unit and period (REGULATION §8); empty means the
    default."""

    pengantar = TextAreaField(_l("Kata pengantar"), validators=[Length(max=6000)])
    latar_belakang = TextAreaField(_l("Latar belakang"), validators=[Length(max=6000)])
    tim = TextAreaField(
        _l("Tim pelaksana"),
        validators=[Length(max=6000)],
        description=_l("jabatan dalam tim sesuai Surat Keputusan; kosongkan untuk teks bawaan"),
    )
    kesimpulan = TextAreaField(_l("Kesimpulan"), validators=[Length(max=6000)])
    # the fingerprints of the texts as shown: a part not touched is not saved
    asal_pengantar = HiddenField()
    asal_latar_belakang = HiddenField()
    asal_tim = HiddenField()
    asal_kesimpulan = HiddenField()


class PublishForm(Form):
    """The confirmation of a previewed publication: the fingerprint of what was shown."""

    sidik = HiddenField(validators=[InputRequired(), Length(min=64, max=64)])


class WithdrawForm(Form):
    """Withdrawing a publication, with the reason the public page will show."""

    alasan = TextAreaField(  # its length is checked by the service, with its own message
        _l("Alasan penarikan"),
        description=_l("tampil di halaman publik, misalnya: Salah memilih periode; diganti."),
    )
