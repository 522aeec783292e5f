"""Intake's pure rules: validation with Vietnamese messages, timeliness, who may do what."""

from intake.domain.problems import MESSAGES, PROBLEM_TYPES, Problem, ProblemType, Severity, problem
from intake.domain.structural import problems_from_pydantic
from intake.domain.submissions import IndicatorValue, Submission, ValidatedValue, ValidReport
from intake.domain.timeliness import timeliness
from intake.domain.validation import validate_submission

__all__ = [
    "MESSAGES",
    "PROBLEM_TYPES",
    "IndicatorValue",
    "Problem",
    "ProblemType",
    "Severity",
    "Submission",
    "ValidReport",
    "ValidatedValue",
    "problem",
    "problems_from_pydantic",
    "timeliness",
    "validate_submission",
]
