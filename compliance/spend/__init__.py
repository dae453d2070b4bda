"""The relationship in numbers: spend against budget ceilings per municipality and lot, the depletion
forecast and its warnings (``selectors``, ``forecast``, ``figures``), and the waiting times and durations
of care from the starts and stops (305/307)."""
