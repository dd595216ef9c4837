"""Delivery files for care data (DATA-FORMATS.md), registered with the delivery pipeline."""

from tillit.care.importers.decisions import DecisionImporter
from tillit.care.importers.events import CareEventImporter
from tillit.care.importers.interventions import InterventionImporter
from tillit.care.importers.recipients import RecipientImporter

__all__ = ["CareEventImporter", "DecisionImporter", "InterventionImporter", "RecipientImporter"]
