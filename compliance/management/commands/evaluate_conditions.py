from django.core.management.base import BaseCommand

from compliance.conditions.services import conditions_evaluate, live_subjects
from compliance.models import ConditionEvaluation


class Command(BaseCommand):
    help = (
        "Re-evaluate the conditions of every live application, agreement and membership (run it daily, "
        "e.g. from cron or a scheduled worker); stores a new evaluation only where the outcome changed."
    )

    def handle(self, *args, **options):
        subjects = live_subjects()
        before = ConditionEvaluation.objects.count()
        for subject in subjects:
            conditions_evaluate(subject=subject, trigger=ConditionEvaluation.Trigger.SCHEDULE)
        changed = ConditionEvaluation.objects.count() - before
        self.stdout.write(f"{len(subjects)} subjects evaluated, {changed} changed evaluations stored.")
