"""Organisations of a region: the SWVs, municipalities, leerplicht bureaus, schools, care.

Every organisation is a row of ``Organisation`` (multi-table inheritance), so memberships,
the audit log and case columns (``swv_id``, ``school_id``, ``municipality_id``) all point at
one id space. See docs/adr/0003-organisations-as-one-table.md.
"""

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from .base import AuditedQuerySet, ChoiceLabels


class OrganisationKind(models.TextChoices):
    REGION = "region", _("Regio")
    SWV = "swv", _("Samenwerkingsverband")
    MUNICIPALITY = "municipality", _("Gemeente")
    LEERPLICHT_BUREAU = "leerplicht_bureau", _("Leerplichtbureau")
    SCHOOL = "school", _("School")
    CARE_ORGANISATION = "care_organisation", _("Zorgorganisatie")


class HolidayRegion(models.TextChoices):
    NOORD = "noord", _("Noord")
    MIDDEN = "midden", _("Midden")
    ZUID = "zuid", _("Zuid")


class SwvSector(models.TextChoices):
    PO = "po", _("Primair onderwijs")
    VO = "vo", _("Voortgezet onderwijs")


class SchoolSector(models.TextChoices):
    PO = "po", _("Primair onderwijs")
    SBO = "sbo", _("Speciaal basisonderwijs")
    SO = "so", _("Speciaal onderwijs")
    VO = "vo", _("Voortgezet onderwijs")
    VSO = "vso", _("Voortgezet speciaal onderwijs")


# The SWV sector a school's sector belongs to.
SCHOOL_SECTOR_TO_SWV_SECTOR: dict[str, SwvSector] = {
    SchoolSector.PO: SwvSector.PO,
    SchoolSector.SBO: SwvSector.PO,
    SchoolSector.SO: SwvSector.PO,
    SchoolSector.VO: SwvSector.VO,
    SchoolSector.VSO: SwvSector.VO,
}


# A named base, so that django-stubs sees the queryset's methods on the manager.
_OrganisationManagerBase = models.Manager.from_queryset(AuditedQuerySet)


class OrganisationManager(_OrganisationManagerBase):
    pass


class Organisation(ChoiceLabels, models.Model):
    name = models.CharField(_("naam"), max_length=200)
    kind = models.CharField(_("soort"), max_length=32, choices=OrganisationKind.choices)
    region = models.ForeignKey(
        "core.Region",
        verbose_name=_("regio"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organisations",
        help_text=_("De regio waartoe de organisatie behoort; een regio verwijst naar zichzelf."),
    )
    is_active = models.BooleanField(_("actief"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrganisationManager()

    class Meta:
        verbose_name = _("organisatie")
        verbose_name_plural = _("organisaties")
        ordering = ["name"]
        indexes = [models.Index(fields=["region", "kind"], name="core_org_region_kind_idx")]
        permissions = [
            ("view_personal_data", _("Persoonsgegevens van leerlingen inzien")),
            ("submit_absence_report", _("Verzuimmeldingen indienen")),
            ("work_cases", _("Casussen behandelen")),
            ("lead_as_casusregisseur", _("Casusregie voeren")),
            ("sit_on_doorbraakteam", _("Zitting nemen in het doorbraakteam")),
            ("override_consent", _("Ontbrekende toestemming overrulen (Meldcode)")),
            ("view_aggregates", _("Geaggregeerde cijfers inzien")),
            ("view_colleagues", _("Collega's in de eigen organisatie zien")),
            ("manage_region", _("Organisaties, gebruikers en convenant beheren")),
            ("view_audit_log", _("Auditlog inzien")),
            ("manage_api_tokens", _("API-sleutels beheren")),
            (
                "answer_subject_access",
                _("Inzageverzoeken beantwoorden en persoonsgegevens corrigeren"),
            ),
        ]

    def __str__(self) -> str:
        return self.name


def _parent_link(related_name: str) -> models.OneToOneField:
    # Named reverse accessors (organisation.school_detail) so they cannot clash with fields
    # such as School.municipality.
    return models.OneToOneField(
        Organisation,
        on_delete=models.CASCADE,
        parent_link=True,
        primary_key=True,
        related_name=related_name,
    )


class Region(Organisation):
    organisation_ptr = _parent_link("region_detail")
    holiday_region = models.CharField(
        _("vakantieregio"), max_length=8, choices=HolidayRegion.choices
    )
    case_retention_months = models.PositiveSmallIntegerField(
        _("bewaartermijn gesloten casussen (maanden)"),
        default=60,
        help_text=_(
            "Zo lang na het sluiten blijft een casus bewaard; daarna wordt hij verwijderd."
        ),
    )

    class Meta:
        verbose_name = _("regio")
        verbose_name_plural = _("regio's")

    def save(self, *args, **kwargs):
        self.kind = OrganisationKind.REGION
        super().save(*args, **kwargs)
        if self.region_id != self.pk:
            self.region_id = self.pk
            super().save(update_fields=["region"])


class Samenwerkingsverband(Organisation):
    organisation_ptr = _parent_link("swv_detail")
    sector = models.CharField(_("sector"), max_length=2, choices=SwvSector.choices)
    code = models.CharField(
        _("code"),
        max_length=10,
        unique=True,
        validators=[RegexValidator(r"^(PO|VO) ?\d{2}-?\d{2}$", _("Gebruik de vorm PO 27-01."))],
        help_text=_("Officiële code van het samenwerkingsverband, bijvoorbeeld PO 27-01."),
    )
    neighbours = models.ManyToManyField(
        "self",
        verbose_name=_("buur-samenwerkingsverbanden"),
        symmetrical=True,
        blank=True,
        help_text=_("Samenwerkingsverbanden die een arbiter leveren bij arbitrage."),
    )

    class Meta:
        verbose_name = _("samenwerkingsverband")
        verbose_name_plural = _("samenwerkingsverbanden")

    def save(self, *args, **kwargs):
        self.kind = OrganisationKind.SWV
        super().save(*args, **kwargs)


class Municipality(Organisation):
    organisation_ptr = _parent_link("municipality_detail")
    cbs_code = models.CharField(
        _("CBS-code"),
        max_length=6,
        unique=True,
        validators=[RegexValidator(r"^GM\d{4}$", _("Gebruik de vorm GM0123."))],
    )

    class Meta:
        verbose_name = _("gemeente")
        verbose_name_plural = _("gemeenten")

    def save(self, *args, **kwargs):
        self.kind = OrganisationKind.MUNICIPALITY
        super().save(*args, **kwargs)


class LeerplichtBureau(Organisation):
    organisation_ptr = _parent_link("leerplicht_bureau_detail")
    municipalities = models.ManyToManyField(
        Municipality,
        verbose_name=_("gemeenten"),
        related_name="leerplicht_bureaus",
        help_text=_("De gemeenten waarvoor dit bureau de leerplicht uitvoert."),
    )

    class Meta:
        verbose_name = _("leerplichtbureau")
        verbose_name_plural = _("leerplichtbureaus")

    def save(self, *args, **kwargs):
        self.kind = OrganisationKind.LEERPLICHT_BUREAU
        super().save(*args, **kwargs)


class School(Organisation):
    organisation_ptr = _parent_link("school_detail")
    brin = models.CharField(
        _("BRIN"),
        max_length=4,
        validators=[
            RegexValidator(r"^\d{2}[A-Z]{2}$", _("Een BRIN bestaat uit 2 cijfers en 2 letters."))
        ],
    )
    vestiging = models.CharField(
        _("vestiging"),
        max_length=2,
        blank=True,
        default="",
        validators=[RegexValidator(r"^\d{2}$", _("Een vestigingsnummer bestaat uit 2 cijfers."))],
    )
    sector = models.CharField(_("sector"), max_length=3, choices=SchoolSector.choices)
    swv = models.ForeignKey(
        Samenwerkingsverband,
        verbose_name=_("samenwerkingsverband"),
        on_delete=models.PROTECT,
        related_name="schools",
    )
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("gemeente"),
        on_delete=models.PROTECT,
        related_name="schools",
    )

    class Meta:
        verbose_name = _("school")
        verbose_name_plural = _("scholen")
        constraints = [
            models.UniqueConstraint(fields=["brin", "vestiging"], name="core_school_brin_unique")
        ]

    def save(self, *args, **kwargs):
        self.kind = OrganisationKind.SCHOOL
        super().save(*args, **kwargs)

    @property
    def brin_code(self) -> str:
        return f"{self.brin}{self.vestiging}"

    def clean(self) -> None:
        super().clean()
        if self.swv_id and self.sector:
            expected = SCHOOL_SECTOR_TO_SWV_SECTOR[self.sector]
            if self.swv.sector != expected:
                raise ValidationError(
                    {
                        "swv": _(
                            "Een school in deze sector hoort bij een samenwerkingsverband %(s)s."
                        )
                        % {"s": SwvSector(expected).label}
                    }
                )
