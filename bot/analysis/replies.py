"""The replies we ask the model for, as pydantic models: what a valid analysis looks like."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=2)]

LANGUAGE_NAMES = {"zh": "Simplified Chinese (简体中文)", "en": "English", "ja": "Japanese", "ko": "Korean",
                  "de": "German", "fr": "French", "es": "Spanish"}


def language_name(code: str) -> str:
    return LANGUAGE_NAMES.get(code, code)


class _Reply(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class QuickAnalysis(_Reply):
    main_contribution: Text
    key_innovations: list[Text] = Field(min_length=1, max_length=8)
    potential_impact: list[Text] = Field(min_length=1, max_length=6)
    applications: list[Text] = Field(min_length=1, max_length=8)
    limitations: list[Text] = Field(min_length=1, max_length=6)


class NamedPoint(_Reply):
    name: Text
    text: Text


class Highlight(_Reply):
    papers: list[int] = Field(min_length=1)
    text: Text


class Recommendation(_Reply):
    paper: int
    why: Text


class ExecutiveSummary(_Reply):
    themes: list[NamedPoint] = Field(min_length=1, max_length=8)
    highlights: list[Highlight] = Field(min_length=1, max_length=6)
    emerging: list[NamedPoint] = Field(min_length=1, max_length=6)
    recommended: list[Recommendation] = Field(min_length=1, max_length=6)


class WeeklyThemes(_Reply):
    """The weekly recap's paragraph on the week's themes, over the week's picks."""

    paragraph: Text = Field(max_length=3000)


class VersionChanges(_Reply):
    """What changed between two versions of a paper's abstract, in one paragraph."""

    what_changed: Text = Field(max_length=2000)


class Motivation(_Reply):
    drivers: list[Text] = Field(min_length=1, max_length=8)
    pain_points: list[Text] = Field(min_length=1, max_length=8)
    hypothesis: list[Text] = Field(min_length=1, max_length=6)


class MethodDesign(_Reply):
    pipeline: list[Text] = Field(min_length=2, max_length=12)
    architecture: list[Text] = Field(min_length=1, max_length=10)
    formulas: list[Text] = Field(min_length=1, max_length=8)


class Comparison(_Reply):
    differences: list[Text] = Field(min_length=1, max_length=8)
    contributions: list[Text] = Field(min_length=1, max_length=8)
    applicability: list[Text] = Field(min_length=1, max_length=8)


class Experiments(_Reply):
    validation: list[Text] = Field(min_length=1, max_length=8)
    key_results: list[Text] = Field(min_length=1, max_length=10)
    strengths: list[Text] = Field(min_length=1, max_length=8)
    limitations: list[Text] = Field(min_length=1, max_length=8)


class PracticalGuide(_Reply):
    availability: Text
    implementation: list[Text] = Field(min_length=1, max_length=10)
    transfer: list[Text] = Field(min_length=1, max_length=8)


class DeepSummary(_Reply):
    core_idea: Text
    pipeline: list[Text] = Field(min_length=3, max_length=6)


class DeepAnalysis(_Reply):
    """The seed's seven parts, in its order."""

    abstract_translation: Text
    motivation: Motivation
    method: MethodDesign
    comparison: Comparison
    experiments: Experiments
    practical: PracticalGuide
    summary: DeepSummary


@dataclass(frozen=True)
class DeepResult:
    analysis: DeepAnalysis
    coverage: dict  # what of the full text the model saw: source, pages, tokens, kept/shortened/dropped
