"""The scenario schema: a frozen, typed description of one region's plan and model.

Sections are kept apart as docs/design.md asks: ``meta`` (the plan), ``carriers`` and ``pipeline``
(the supply of incubation space), ``firms`` (arrivals, hazards, the region's existing stock),
``statuses`` (certifications through one mechanism), ``carrier_rules`` (levels, delisting,
designations, service staff), ``levers`` (decisions), ``uncertainties`` (distributions over
parameters) and ``targets`` (what the plan promises). Every baseline figure and parameter is a
``Quantity`` (a value with its ``source``); per-entity random quantities are distributions with a
``source``. Cross-references (zones, sectors, status ids, parameter paths) are checked in
``sim.scenario.checks`` so that each error can name its own field.

Units: rates are per year; durations say their unit in the field name (``_months``,
``_years``); areas are m²; money is yuan.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal, TypeVar

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from sim.distributions import Distribution
from sim.numbers_only import FORMS_CHECKED, refuse_booleans


def _check_source(text: str) -> str:
    """A source must say where a figure comes from, in one of the documented forms."""
    if FORMS_CHECKED.get():  # a variant's data: the text was judged (and stripped) when read
        return text
    from sim.scenario.documents import check_form

    return check_form(text)


Source = Annotated[str, AfterValidator(_check_source)]
Identifier = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]

Kind = Literal["maker_space", "incubator", "accelerator", "park"]
Level = Literal["district", "municipal", "provincial", "national"]
Tag = Literal["large", "featured", "benchmark", "university_ecosystem", "service_institution"]
Stage = Literal["team", "startup", "growth"]
FirmStage = Literal["startup", "growth"]
StageFilter = Literal["team", "startup", "growth", "firm"]
Op = Literal[">=", ">", "<=", "<"]


class Frozen(BaseModel):
    """Base for every schema object: immutable, unknown keys are errors."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _numbers_are_numbers(cls, data: Any) -> Any:
        return refuse_booleans(cls, data)


class Label(Frozen):
    """A name in Chinese and English (planners read Chinese; reports may be in English)."""

    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)


Text = str | Label
"""Free text a reader sees: one string, or {zh, en} so that Chinese output is Chinese."""


def text_in(text: Text | None, lang: str) -> str:
    """``text`` in ``lang`` (a plain string is shown as written; None as "")."""
    if text is None:
        return ""
    if isinstance(text, Label):
        return text.zh if lang == "zh" else text.en
    return text


def text_data(text: Text | None) -> str | dict[str, str] | None:
    """``text`` as JSON (a plain string, or {"zh": ..., "en": ...})."""
    return text.model_dump() if isinstance(text, Label) else text


class Quantity(Frozen):
    """A number with its source: every baseline figure and parameter is one of these."""

    value: float
    source: Source
    unit: str | None = None
    note: str | None = None


def _bounded(low: float | None, high: float | None, integer: bool = False) -> AfterValidator:
    def check(q: Quantity) -> Quantity:
        if low is not None and q.value < low:
            raise ValueError(f"must be >= {low:g}")
        if high is not None and q.value > high:
            raise ValueError(f"must be <= {high:g}")
        if integer and not float(q.value).is_integer():  # int(inf) would raise
            raise ValueError("must be a whole number")
        return q

    check.bounds = (low, high)  # type: ignore[attr-defined]
    return AfterValidator(check)


def _positive(q: Quantity) -> Quantity:
    if not q.value > 0:
        raise ValueError("must be > 0")
    return q


_positive.bounds = (0.0, None)  # type: ignore[attr-defined]

Prob = Annotated[Quantity, _bounded(0.0, 1.0)]
NonNeg = Annotated[Quantity, _bounded(0.0, None)]
Count = Annotated[Quantity, _bounded(0.0, None, integer=True)]
Positive = Annotated[Quantity, AfterValidator(_positive)]


def _require_source(d: Any) -> Any:
    if not getattr(d, "source", None):
        raise ValueError("a distribution here needs a 'source'")
    _check_source(d.source)
    return d


def _nonneg_support(d: Any) -> Any:
    if d.support[0] < 0:
        raise ValueError(f"can produce negative values (support starts at {d.support[0]:g}); "
                         "expected a distribution on values >= 0")
    return d


RandomQty = Annotated[Distribution, AfterValidator(_require_source)]
"""A per-entity random quantity (drawn for each firm, project or carrier) with its source."""
RandomDuration = Annotated[
    Distribution, AfterValidator(_require_source), AfterValidator(_nonneg_support)
]


# --------------------------------------------------------------------------------------- meta
class Unmodelled(Frozen):
    """A plan target that is out of scope, with the reason (shown by ``show`` and reports)."""

    id: Identifier
    label: Label
    value: str = Field(description="The plan's figure as written, e.g. '>=45 per 10,000 people'.")
    date: dt.date | None = None
    reason: Text = Field(description="Why the model cannot say (a string, or {zh, en}).")

    @model_validator(mode="after")
    def _reason_says_something(self) -> Unmodelled:
        for text in ((self.reason,) if isinstance(self.reason, str)
                     else (self.reason.zh, self.reason.en)):
            if len(text.strip()) < 3:
                raise ValueError("reason must say why (at least 3 characters)")
        return self


class Meta(Frozen):
    """Which plan this scenario encodes, and its time frame."""

    id: Identifier
    name: Label
    region: Label
    seed_file: str
    start: dt.date
    horizon_end: dt.date
    sectors: tuple[Identifier, ...] = ("other",)
    zones: tuple[Identifier, ...] = ("all",)
    description: Label | None = None
    unmodelled: tuple[Unmodelled, ...] = ()
    calibration_cutoff: dt.date | None = Field(
        default=None,
        description="Public figures dated on or before this day may be fitted; every later "
        "one is validation only (default: the base date, the day before start).")

    @model_validator(mode="after")
    def _horizon(self) -> Meta:
        if self.horizon_end <= self.start:
            raise ValueError(
                f"horizon_end {self.horizon_end} must be after start {self.start}"
            )
        if self.calibration_cutoff is not None and self.calibration_cutoff > self.horizon_end:
            raise ValueError(f"calibration_cutoff {self.calibration_cutoff} is after "
                             f"horizon_end {self.horizon_end}")
        return self

    @property
    def base_date(self) -> dt.date:
        """The day before the start: the state the scenario starts from."""
        return self.start - dt.timedelta(days=1)

    @property
    def cutoff(self) -> dt.date:
        """The calibration cut-off in force (the base date unless stated)."""
        return self.calibration_cutoff or self.base_date


# ----------------------------------------------------------------------------------- carriers
class CarrierGroup(Frozen):
    """Existing carriers: one, or a group of ``count`` alike sharing ``total_area`` equally."""

    id: Identifier
    name: Label | None = None
    count: int = Field(default=1, ge=1)
    kind: Kind
    level: Level
    tags: tuple[Tag, ...] = ()
    zone: Identifier | None = None
    sector: Identifier | None = Field(default=None, description="Sector focus; none = any.")
    total_area: Positive
    area_per_slot: Positive
    opened: dt.date | None = None
    age_years: RandomDuration | None = Field(
        default=None, description="Years operating at the start, drawn per carrier."
    )
    incubatees: Count
    graduates_cum: Count | None = None
    entries_cum: Count | None = None
    source: Source

    @model_validator(mode="after")
    def _opening(self) -> CarrierGroup:
        if (self.opened is None) == (self.age_years is None):
            raise ValueError(
                "give exactly one of 'opened' (a date) or 'age_years' (a distribution)")
        return self


class PipelineProject(Frozen):
    """A dated build-out project: delivered with a probability, after a random delay."""

    id: Identifier
    name: Label | None = None
    count: int = Field(default=1, ge=1)
    kind: Kind
    level: Level
    tags: tuple[Tag, ...] = ()
    zone: Identifier | None = None
    sector: Identifier | None = None
    area: Positive = Field(description="Total m² of the project (split equally over count).")
    area_per_slot: Positive
    planned: dt.date
    delay_months: RandomDuration
    p_delivery: Prob
    source: Source


# -------------------------------------------------------------------------------------- firms
class StageMix(Frozen):
    """Shares of arriving firms by stage (normalised; must not all be zero)."""

    team: float = Field(default=0.0, ge=0)
    startup: float = Field(default=0.0, ge=0)
    growth: float = Field(default=0.0, ge=0)

    @model_validator(mode="after")
    def _nonzero(self) -> StageMix:
        if self.team + self.startup + self.growth <= 0:
            raise ValueError("stage shares are all zero")
        return self


class RateStep(Frozen):
    """From ``start`` on, the source's rate is multiplied by ``multiplier``."""

    start: dt.date
    multiplier: NonNeg


class StatusAtStart(Frozen):
    """Share of a group holding a status at the start, and how certificate dates are spread."""

    share: Prob
    issued: Literal["spread_by_growth", "start"] = Field(
        default="spread_by_growth",
        description="spread_by_growth: certificate dates over the validity window before the "
        "start, weighted by issuance growing at growth_per_year (the expiry cliff); start: all "
        "dated at the start.",
    )
    growth_per_year: NonNeg | None = None


class Seasonality(Frozen):
    """Relative arrival rates of the twelve calendar months (January first).

    Scaled so that a year of 365 days keeps the yearly rate: month m's factor is
    ``weights[m] * 365 / sum(weights[k] * days[k])`` (sim.model.schedule.seasonal_factor).
    """

    weights: tuple[float, ...] = Field(min_length=12, max_length=12)
    source: Source

    @model_validator(mode="after")
    def _weights(self) -> Seasonality:
        if any(not (w >= 0 and w < float("inf")) for w in self.weights):
            raise ValueError("month weights must be finite and >= 0")
        if not sum(self.weights) > 0:
            raise ValueError("at least one month weight must be > 0")
        return self


class ArrivalSource(Frozen):
    """A Poisson stream of new firms or teams with a time-varying rate (per year).

    rate(t) = rate * (1 + growth)^t * (multiplier of the latest step whose start <= t)
    * (the ``seasonality`` factor of t's calendar month, 1 without it).
    """

    label: Label
    rate: NonNeg
    growth: Quantity | None = None
    steps: tuple[RateStep, ...] = ()
    seasonality: Seasonality | None = None
    stage_mix: StageMix
    sector_mix: dict[Identifier, float] | None = None
    p_seek_carrier: Prob
    age_years: RandomDuration | None = Field(
        default=None, description="Age since incorporation at arrival (firms only); default 0."
    )
    statuses_at_arrival: dict[Identifier, Prob] = Field(default_factory=dict)
    source: Source


class Risk(Frozen):
    """One competing risk: an exponential hazard (``rate``) or a latent ``duration_months``.

    ``probability`` is the share of firms for which the risk is active at all (default 1).
    Quality scales it (docs/design.md section 3): good events (incorporation, graduation,
    maturation) happen q times faster, bad ones (dissolution, failure) q times slower.
    """

    rate: NonNeg | None = None
    duration_months: RandomDuration | None = None
    probability: Prob | None = None

    @model_validator(mode="after")
    def _one_form(self) -> Risk:
        if (self.rate is None) == (self.duration_months is None):
            raise ValueError("give exactly one of 'rate' (per year) or 'duration_months'")
        return self


class InCarrier(Frozen):
    """Competing risks while inside a carrier fitting the stage."""

    incorporation: Risk | None = None
    dissolution: Risk | None = None
    graduation: Risk | None = None
    failure: Risk | None = None
    max_stay_months: RandomDuration


class Outside(Frozen):
    """Risks while outside carriers (the age-dependent exit hazard is in ``FirmRules``)."""

    incorporation: Risk | None = None
    dissolution: Risk | None = None
    maturation: Risk | None = None
    relocation: Risk | None = None


class StageRules(Frozen):
    """Hazards for one stage, inside and outside carriers."""

    in_carrier: InCarrier
    outside: Outside


class Stages(Frozen):
    """Hazards by stage: team (maker space), start-up (incubator), growth (accelerator/park)."""

    team: StageRules
    startup: StageRules
    growth: StageRules


class ExitStep(Frozen):
    """Exit hazard per year for incorporated firms outside carriers from a given age on."""

    from_age_years: float = Field(ge=0)
    rate: NonNeg


class PostExit(Frozen):
    """After leaving a carrier, this failure hazard replaces the age hazard for a window."""

    window_years: NonNeg
    failure_rate: NonNeg


class GraduationMoves(Frozen):
    """Where graduates go: on to an accelerator/park with room, else stay or relocate."""

    p_seek_next: Prob
    p_relocate_if_no_room: Prob


class InitialIncubatees(Frozen):
    """How the incubatees present at the start are drawn.

    Without ``tenure_months`` (the default) they are drawn in the carriers' stationary state
    (``sim.model.hazards.stationary_occupant``); with it, the time already spent is drawn from
    it and the rest of the stay conditioned on it.
    """

    tenure_months: RandomDuration | None = Field(
        default=None, description="Time already spent in the carrier (default: stationary).")
    age_years: RandomDuration = Field(description="Age since incorporation (firms only).")
    statuses: dict[Identifier, StatusAtStart] = Field(default_factory=dict)
    sector_mix: dict[Identifier, float] | None = None


class StockGroup(Frozen):
    """Part of the region's existing firms outside carriers (most tech firms and HNTE)."""

    label: Label
    count: Count
    stage: FirmStage = "growth"
    sector_mix: dict[Identifier, float] | None = None
    age_years: RandomDuration
    statuses: dict[Identifier, StatusAtStart] = Field(default_factory=dict)
    source: Source


class Firms(Frozen):
    """Firm arrivals, life-cycle hazards, heterogeneity and the existing stock."""

    quality: RandomDuration = Field(description="Latent quality q (mean about 1) per firm.")
    patience_months: RandomDuration = Field(description="How long a firm waits for a slot.")
    sources: dict[Identifier, ArrivalSource]
    stages: Stages
    exit_by_age: tuple[ExitStep, ...] = Field(min_length=1)
    post_exit: PostExit
    graduation: GraduationMoves
    initial_incubatees: InitialIncubatees
    stock: dict[Identifier, StockGroup] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _exit_steps(self) -> Firms:
        ages = [s.from_age_years for s in self.exit_by_age]
        if ages[0] != 0 or ages != sorted(ages) or len(set(ages)) != len(ages):
            raise ValueError("exit_by_age must start at from_age_years 0 and increase strictly")
        return self


# ----------------------------------------------------------------------------------- statuses
class Eligibility(Frozen):
    """Who may apply: minimum age since incorporation, statuses held, stage."""

    min_age_years: NonNeg
    requires: tuple[Identifier, ...] = ()
    stages: tuple[FirmStage, ...] = ("startup", "growth")
    in_carrier_only: bool = False


class Status(Frozen):
    """A certification (tech-firm registration, HNTE, ...) through one mechanism.

    At each round (end of the listed months) every eligible firm not holding the status applies
    with probability 1 - (1 - p_apply_year)^(1 / rounds), succeeds with ``p_success`` and gets
    the certificate after ``delay_months``. Validity: to the end of the calendar year, N years
    from the certificate date, or permanent. At expiry the holder renews with ``p_renewal``
    (a new certificate from the expiry date) or lapses.
    """

    label: Label
    eligibility: Eligibility
    rounds: tuple[int, ...] = Field(min_length=1)
    p_apply_year: Prob
    p_success: Prob
    delay_months: RandomDuration
    validity: Literal["calendar_year", "years", "permanent"]
    validity_years: Positive | None = None
    p_renewal: Prob | None = None
    counts_as: tuple[Identifier, ...] = ()
    quality_scaled: bool = True
    p_capable: Prob | None = None
    """Share of firms that could ever obtain the status (drawn once per firm; the others never
    apply). None: every eligible firm may apply."""
    registered_at_start: Count | None = None
    """Published cumulative count of firms ever registered at the base date (a database that
    counts entries, e.g. Chongqing's 科技型企业); the ``*_registered_cum`` metric adds every
    first registration after the start. None: the holders at the start."""
    source: Source

    @model_validator(mode="after")
    def _validity(self) -> Status:
        if any(not 1 <= m <= 12 for m in self.rounds):
            raise ValueError(f"rounds must be months 1..12, got {list(self.rounds)}")
        if len(set(self.rounds)) != len(self.rounds):
            raise ValueError(f"rounds repeat a month: {list(self.rounds)}")
        if (self.validity == "years") != (self.validity_years is not None):
            raise ValueError("validity 'years' needs validity_years (and only then)")
        if self.validity != "permanent" and self.p_renewal is None:
            raise ValueError("a status that expires needs p_renewal")
        return self


# ------------------------------------------------------------------------------ carrier rules
class Promotion(Frozen):
    """Annual level evaluation: carriers meeting the criteria are promoted with a probability."""

    id: Identifier
    kinds: tuple[Kind, ...] = Field(min_length=1)
    from_levels: tuple[Level, ...] = Field(min_length=1)
    to_level: Level
    min_years_operating: NonNeg
    min_area: NonNeg
    min_incubatees: NonNeg
    min_graduates_cum: NonNeg | None = None
    min_tech_firm_share: Prob | None = None
    p_approval: Prob
    month: int = Field(default=12, ge=1, le=12)
    source: Source


class Delisting(Frozen):
    """摘牌: a failed occupancy review, a re-review, a second failure removes the level."""

    levels: tuple[Level, ...] = Field(min_length=1)
    review_interval_years: int = Field(ge=1)
    min_occupancy: Prob
    rereview_months: int = Field(ge=1, le=24)
    demote_to: Level
    month: int = Field(default=12, ge=1, le=12)
    source: Source


class Designation(Frozen):
    """Designation rounds granting a tag (featured, large, benchmark, ...) to qualifiers."""

    id: Identifier
    tag: Tag
    kinds: tuple[Kind, ...] = Field(min_length=1)
    level_at_least: Level | None = None
    min_area: NonNeg
    min_incubatees: NonNeg
    min_graduates_cum: NonNeg | None = None
    p_grant: Prob
    month: int = Field(default=12, ge=1, le=12)
    max_per_round: int | None = Field(default=None, ge=1)
    source: Source


class Service(Frozen):
    """Mentors and full-time staff: per carrier plus per 100 incubatees."""

    mentors_per_carrier: NonNeg
    mentors_per_100_incubatees: NonNeg
    staff_per_carrier: NonNeg
    staff_per_100_incubatees: NonNeg


class CarrierRules(Frozen):
    """Levels, delisting, designations and service staffing."""

    promotions: tuple[Promotion, ...] = ()
    delisting: Delisting | None = None
    designations: tuple[Designation, ...] = ()
    service: Service


# ------------------------------------------------------------------------------------- levers
class ParamEffect(Frozen):
    """A lever's effect on one model parameter (a dotted path to a number).

    Relative to the lever's default d (the parameter's value in the file is today's trajectory):
    saturating: p * (1 + u_max x/(x + x_half)) / (1 + u_max d/(d + x_half));
    linear: p * (1 + slope (x - d)); add: p + per_unit (x - d); set: p = x.
    Probabilities are clipped to [0, 1], rates to >= 0.
    """

    param: str = Field(min_length=1)
    response: Literal["saturating", "linear", "add", "set"]
    u_max: NonNeg | None = None
    x_half: Positive | None = None
    slope: Quantity | None = None
    per_unit: Quantity | None = None

    @model_validator(mode="after")
    def _coefficients(self) -> ParamEffect:
        need = {"saturating": ("u_max", "x_half"), "linear": ("slope",), "add": ("per_unit",),
                "set": ()}[self.response]
        missing = [n for n in need if getattr(self, n) is None]
        if missing:
            raise ValueError(f"response '{self.response}' needs {', '.join(missing)}")
        return self


class BuildEffect(Frozen):
    """A lever in m² per year that opens new carriers of ``unit_area`` m² each, every year."""

    response: Literal["build"]
    kind: Kind
    level: Level = "district"
    tags: tuple[Tag, ...] = ()
    zone: Identifier | None = None
    sector: Identifier | None = None
    unit_area: Positive
    area_per_slot: Positive
    month: int = Field(default=12, ge=1, le=12)


class Lever(Frozen):
    """A decision variable: unit, default, bounds, cost, and what it drives."""

    label: Label
    unit: str
    default: float
    bounds: tuple[float, float]
    unit_cost: NonNeg = Field(description="Yuan per unit of the lever per year.")
    cost_basis: Literal["per_year", "per_100_incubatees_year"] = "per_year"
    effects: tuple[
        Annotated[ParamEffect | BuildEffect, Field(union_mode="left_to_right")], ...
    ] = Field(min_length=1)
    source: Source

    @model_validator(mode="after")
    def _bounds(self) -> Lever:
        lo, hi = self.bounds
        if not lo <= self.default <= hi:
            raise ValueError(f"default {self.default:g} is outside bounds [{lo:g}, {hi:g}]")
        return self


# ------------------------------------------------------------------------------ uncertainties
class Uncertainty(Frozen):
    """A parameter (or several) whose value is drawn once per replication."""

    label: Label | None = None
    distribution: Distribution
    sets: tuple[str, ...] = Field(min_length=1, description="Dotted paths of numeric parameters.")
    integer: bool = Field(default=False, description="Whole-number values (a count): each draw "
                          "is rounded to the nearest whole number.")
    source: Source

    def clean(self, x: float) -> float:
        """A drawn value as it is used and recorded (rounded when ``integer``)."""
        return float(round(x)) if self.integer else float(x)


# ------------------------------------------------------------------------------------ targets
def _as_tuple(v: Any) -> Any:
    return (v,) if isinstance(v, str) else v


T = TypeVar("T")
OneOrMany = Annotated[tuple[T, ...], BeforeValidator(_as_tuple)]
"""A filter written as one value or a list of values."""


class Filters(Frozen):
    """Which carriers or firms a target counts (see sim.registry for what each metric accepts)."""

    kind: OneOrMany[Kind] | None = None
    level: OneOrMany[Level] | None = None
    level_at_least: Level | None = None
    tag: Tag | None = None
    zone: OneOrMany[Identifier] | None = None
    sector: OneOrMany[Identifier] | None = None
    stage: StageFilter | None = None
    statuses: OneOrMany[Identifier] | None = None

    def active(self) -> dict[str, Any]:
        """The filters that are set."""
        return {k: v for k, v in self.model_dump().items() if v is not None}


class Target(Frozen):
    """A plan target: metric (with filters) op value by date.

    Exactly one of ``value``, ``range`` (met at its lower bound; the upper is a stretch value)
    or ``double_of: baseline`` (twice the metric's value at the scenario start). With
    ``relative_to: baseline`` the ``value`` is an increase over the metric's value at the start
    ("净增50家"), so it holds whatever the replication's uncertain start was.

    A cumulative metric may count from a date of its own (``since``, a plan issued mid-period:
    "2021年以来累计孵化"): after the start, the count from the end of the day before ``since``;
    on or before it, ``count_before_start`` (the sourced count from ``since`` to the start) plus
    the count from the start (``sim.targets.counted_series``).
    """

    id: Identifier
    label: Label
    metric: str
    filters: Filters = Field(default_factory=Filters)
    op: Op
    value: float | None = None
    range: tuple[float, float] | None = None
    double_of: Literal["baseline"] | None = None
    relative_to: Literal["baseline"] | None = None
    reading_of: Identifier | None = Field(default=None, description="The target whose plan "
                                          "sentence this one reads another way (left out of "
                                          "the joint probability).")
    since: dt.date | None = Field(default=None, description="Count a cumulative metric from "
                                  "this date (the plan's own period start).")
    count_before_start: NonNeg | None = Field(default=None, description="The count from "
                                              "'since' to the scenario start (since <= start).")
    date: dt.date
    note: Text | None = None
    source: Source

    @model_validator(mode="after")
    def _one_threshold(self) -> Target:
        given = [n for n in ("value", "range", "double_of") if getattr(self, n) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of value, range or double_of")
        if self.range is not None and not self.range[0] <= self.range[1]:
            raise ValueError(f"range [{self.range[0]:g}, {self.range[1]:g}] must have lo <= hi")
        if self.relative_to is not None and self.value is None:
            raise ValueError("relative_to: baseline needs a value (the increase over the start)")
        return self

    @property
    def threshold(self) -> float | None:
        """The number to compare against (None when it depends on the replication's start)."""
        if self.relative_to is not None:
            return None
        if self.value is not None:
            return self.value
        if self.range is not None:
            return self.range[0]
        return None

    @property
    def stretch(self) -> float | None:
        """The upper end of a range target, reported beside it."""
        return self.range[1] if self.range is not None else None


# ---------------------------------------------------------------------------------- documents
DocId = Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]*$", max_length=64)]


class Document(Frozen):
    """A document sources cite as ``doc:<id> <passage>``: a plan, a rule, a paper."""

    title: Label
    issuer: str | None = None
    number: str | None = Field(default=None,
                               description="Document number, e.g. 渝府办发〔2021〕142号.")
    date: dt.date | int | None = Field(default=None, description="Date issued (or the year).")
    url: str | None = Field(default=None, description="A public address where it can be read.")
    file: str | None = Field(default=None, description="Its text in the project (documents/...).")
    note: str | None = None


# ----------------------------------------------------------------------------------- scenario
class Scenario(Frozen):
    """One region's plan, model parameters, levers, uncertainties and targets."""

    meta: Meta
    carriers: tuple[CarrierGroup, ...] = ()
    pipeline: tuple[PipelineProject, ...] = ()
    firms: Firms
    statuses: dict[Identifier, Status]
    carrier_rules: CarrierRules
    levers: dict[Identifier, Lever] = Field(default_factory=dict)
    uncertainties: dict[Identifier, Uncertainty] = Field(default_factory=dict)
    targets: tuple[Target, ...] = Field(min_length=1)
    documents: dict[DocId, Document] = Field(default_factory=dict)

    def years(self, date: dt.date) -> float:
        """Model time (years since the start) at the beginning of a calendar date."""
        return (date - self.meta.start).days / 365.25

    def end_of_day(self, date: dt.date) -> float:
        """Model time at the end of a calendar date (when a target dated that day is judged)."""
        return self.years(date + dt.timedelta(days=1))

    @property
    def horizon_years(self) -> float:
        """Length of the simulated period in years (to the end of ``horizon_end``)."""
        return self.end_of_day(self.meta.horizon_end)
