"""Factories with realistic defaults; public tests use the ``published=True`` trait."""

import factory
from factory.django import DjangoModelFactory

from core.models import Status
from partnerships.models import ActionPoint, Insight, Meeting, Strategy
from practices.models import (
    Audience,
    Country,
    LessonLearned,
    Organisation,
    OrganisationType,
    PartnershipKind,
    Practice,
    PracticePartner,
    PracticeSource,
    Region,
    Sector,
    Stage,
)


class PublishedTrait(DjangoModelFactory):
    # A factory itself (abstract): factory_boy only reads Params from factory classes.
    class Meta:
        abstract = True

    class Params:
        published = factory.Trait(status=Status.PUBLISHED)


class SectorFactory(DjangoModelFactory):
    class Meta:
        model = Sector
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Sector {n}")
    slug = factory.Sequence(lambda n: f"sector-{n}")
    summary = "Partnerships in this sector."
    description = "Why partnerships matter in this sector."


class StageFactory(DjangoModelFactory):
    class Meta:
        model = Stage
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Stage {n}")
    slug = factory.Sequence(lambda n: f"stage-{n}")


class AudienceFactory(DjangoModelFactory):
    class Meta:
        model = Audience
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Audience {n}")
    slug = factory.Sequence(lambda n: f"audience-{n}")


class KindFactory(DjangoModelFactory):
    class Meta:
        model = PartnershipKind
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Kind {n}")
    slug = factory.Sequence(lambda n: f"kind-{n}")


class RegionFactory(DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Region {n}")
    slug = factory.Sequence(lambda n: f"region-{n}")


class CountryFactory(DjangoModelFactory):
    class Meta:
        model = Country
        django_get_or_create = ("code",)

    code = "CA"
    region = factory.SubFactory(
        RegionFactory, name="Northern America", slug="northern-america"
    )


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Partner Organisation {n}")
    slug = factory.Sequence(lambda n: f"partner-organisation-{n}")
    type = OrganisationType.NGO


class PracticeFactory(PublishedTrait, DjangoModelFactory):
    class Meta:
        model = Practice
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Financial intelligence partnership {n}")
    slug = factory.Sequence(lambda n: f"practice-{n}")
    summary = (
        "Banks and the financial intelligence unit share red flags of trafficking."
    )
    description = "Analysts from both sides meet monthly and publish indicators."
    outcomes = "More suspicious transaction reports in the first year."
    kind = factory.SubFactory(KindFactory)
    start_year = 2017
    status = Status.DRAFT

    @factory.post_generation
    def sectors(self, create, extracted, **kwargs):
        if create:
            self.sectors.set(extracted if extracted is not None else [SectorFactory()])

    @factory.post_generation
    def countries(self, create, extracted, **kwargs):
        if create and extracted:
            self.countries.set(extracted)

    @factory.post_generation
    def regions(self, create, extracted, **kwargs):
        if create and extracted:
            self.regions.set(extracted)

    @factory.post_generation
    def stages(self, create, extracted, **kwargs):
        if create and extracted:
            self.stages.set(extracted)

    @factory.post_generation
    def audiences(self, create, extracted, **kwargs):
        if create and extracted:
            self.audiences.set(extracted)

    @factory.post_generation
    def tags(self, create, extracted, **kwargs):
        if create and extracted:
            self.tags.set(extracted)

    @factory.post_generation
    def partners(self, create, extracted, **kwargs):
        """``partners=[org, (org, "lead"), ...]``."""
        if create and extracted:
            for order, item in enumerate(extracted):
                organisation, role = (
                    item if isinstance(item, tuple) else (item, "partner")
                )
                PracticePartner.objects.create(
                    practice=self, organisation=organisation, role=role, order=order
                )


class PracticeSourceFactory(DjangoModelFactory):
    class Meta:
        model = PracticeSource

    practice = factory.SubFactory(PracticeFactory)
    title = "Annual report"
    publisher = "Financial Intelligence Unit"
    url = factory.Sequence(lambda n: f"https://example.org/report-{n}")


class MeetingFactory(PublishedTrait, DjangoModelFactory):
    class Meta:
        model = Meeting

    title = factory.Sequence(lambda n: f"Regional Expert Group Meeting {n}")
    short_title = factory.Sequence(lambda n: f"REGM {n}")
    slug = factory.Sequence(lambda n: f"regm-{n}")
    summary = "Experts from government and business met to share practices."
    status = Status.DRAFT


class InsightFactory(DjangoModelFactory):
    class Meta:
        model = Insight

    meeting = factory.SubFactory(MeetingFactory)
    text = "Trust grows from small, regular exchanges."


class ActionPointFactory(PublishedTrait, DjangoModelFactory):
    class Meta:
        model = ActionPoint

    text = factory.Sequence(
        lambda n: f"Share typologies of trafficking with partners ({n})."
    )
    audience = factory.SubFactory(AudienceFactory)
    status = Status.DRAFT


class StrategyFactory(PublishedTrait, DjangoModelFactory):
    class Meta:
        model = Strategy

    text = factory.Sequence(
        lambda n: f"Build trust between partners before sharing data ({n})."
    )
    status = Status.DRAFT


class LessonLearnedFactory(PublishedTrait, DjangoModelFactory):
    class Meta:
        model = LessonLearned

    text = factory.Sequence(lambda n: f"Start with a few committed partners ({n}).")
    status = Status.DRAFT


def build_taxonomy():
    """A small, realistic taxonomy for factory-built tests, by short name."""
    africa = RegionFactory(name="Africa", slug="africa")
    sub_saharan = RegionFactory(name="Sub-Saharan Africa", slug="sub-saharan-africa")
    sub_saharan.parent = africa
    sub_saharan.save()
    americas = RegionFactory(name="Americas", slug="americas")
    northern_america = RegionFactory(name="Northern America", slug="northern-america")
    northern_america.parent = americas
    northern_america.save()
    return {
        "supply": SectorFactory(name="Supply chains", slug="supply-chain", order=0),
        "financial": SectorFactory(name="Financial sector", slug="financial", order=1),
        "technology": SectorFactory(
            name="Technology sector", slug="technology", order=2
        ),
        "recruitment": StageFactory(name="Recruitment", slug="recruitment"),
        "financial_flows": StageFactory(name="Financial flows", slug="financial-flows"),
        "law_enforcement": AudienceFactory(
            name="Law enforcement", slug="law-enforcement"
        ),
        "labour_inspectors": AudienceFactory(
            name="Labour inspectors", slug="labour-inspectors"
        ),
        "fi_partnership": KindFactory(
            name="Financial-intelligence partnership",
            slug="financial-intelligence-partnership",
        ),
        "tool": KindFactory(name="Technology tool", slug="technology-tool"),
        "africa": africa,
        "sub_saharan": sub_saharan,
        "americas": americas,
        "northern_america": northern_america,
        "canada": CountryFactory(code="CA", region=northern_america),
        "nigeria": CountryFactory(code="NG", region=sub_saharan),
        "ivory_coast": CountryFactory(code="CI", region=sub_saharan),
    }
