"""The learnsurvey web platform: trusts, schools, waves, the pupil's survey and dashboards.

A Django project whose domain apps (``accounts``, ``schools``, ``waves``, ``pupil``,
``dashboards``, ``api``) call :mod:`learnsurvey.analysis` for every figure they show.
"""
