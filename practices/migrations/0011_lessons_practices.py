"""A lesson may be drawn from several practices: its practice becomes links, each\nprotecting its practice from deletion as the foreign key did."""

import django.db.models.deletion
from django.db import migrations, models


def links_from_fk(apps, schema_editor):
    """Each lesson's one practice becomes its first link.

    What load_reference recorded of a lesson says ``practices`` too, so that a lesson
    nobody edited still follows its fixture on the next load.
    """
    LessonLearned = apps.get_model("practices", "LessonLearned")
    LessonPractice = apps.get_model("practices", "LessonPractice")
    LessonPractice.objects.bulk_create(
        LessonPractice(lesson_id=lesson, practice_id=practice, order=0)
        for lesson, practice in LessonLearned.objects.filter(
            practice__isnull=False
        ).values_list("pk", "practice_id")
    )
    LoadedRow = apps.get_model("core", "LoadedRow")
    for row in LoadedRow.objects.filter(model="practices.lessonlearned"):
        if "practice" in row.values:
            practice = row.values.pop("practice")
            row.values["practices"] = [practice] if practice else []
            row.save(update_fields=["values"])


def fk_from_links(apps, schema_editor):
    """Back to one practice: the first link of each lesson."""
    LessonLearned = apps.get_model("practices", "LessonLearned")
    LessonPractice = apps.get_model("practices", "LessonPractice")
    for link in LessonPractice.objects.order_by("-order", "-pk"):
        LessonLearned.objects.filter(pk=link.lesson_id).update(
            practice_id=link.practice_id
        )
    LoadedRow = apps.get_model("core", "LoadedRow")
    for row in LoadedRow.objects.filter(model="practices.lessonlearned"):
        if "practices" in row.values:
            practices = row.values.pop("practices")
            row.values["practice"] = practices[0] if practices else None
            row.save(update_fields=["values"])


class Migration(migrations.Migration):

    dependencies = [
        ('practices', '0010_provenance_maturity'),
        ('core', '0002_loader_loaded_rows'),
    ]

    operations = [
        migrations.CreateModel(
            name='LessonPractice',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('order', models.PositiveSmallIntegerField(default=0)),
                ('lesson', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='practice_links', to='practices.lessonlearned')),
                ('practice', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='lesson_links', to='practices.practice')),
            ],
            options={
                'verbose_name': 'practice the lesson was drawn from',
                'verbose_name_plural': 'practices the lesson was drawn from',
                'ordering': ['order', 'pk'],
            },
        ),
        migrations.AddField(
            model_name='lessonlearned',
            name='practices',
            field=models.ManyToManyField(blank=True, help_text='The practices the lesson was drawn from, if any. The lesson is public only while every one of them is; a practice cannot be deleted while it has lessons.', related_name='lessons', through='practices.LessonPractice', to='practices.practice'),
        ),
        migrations.AddConstraint(
            model_name='lessonpractice',
            constraint=models.UniqueConstraint(fields=('lesson', 'practice'), name='lesson_practice_once'),
        ),
        migrations.RunPython(links_from_fk, fk_from_links),
        migrations.RemoveField(
            model_name='lessonlearned',
            name='practice',
        ),
    ]
