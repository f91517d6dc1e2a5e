"""`flask --app wsgi backup create|restore|verify|prune`."""
import click
from flask.cli import AppGroup

from . import BackupError, archives, backup_dir, create, prune, restore, verify_archive

cli = AppGroup("backup", help="备份与恢复：数据库、上传文件和发布归档文件")


@cli.command("create")
@click.argument("path", required=False, type=click.Path())
@click.option("--keep", type=int, default=None, help="创建后在该目录只保留最近N份备份")
def create_command(path, keep):
    """Make one consistent archive of the database, uploaded files and archived publications."""
    try:
        archive = create(path)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"备份已创建：{archive}")
    if keep:
        for p in prune(archive.parent, keep):
            click.echo(f"已删除旧备份：{p.name}")


@cli.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def restore_command(path):
    """Restore an archive into an empty instance, verifying every checksum."""
    try:
        manifest = restore(path)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"已恢复 {manifest['created_at']} 的备份：{sum(manifest['tables'].values())}行数据、"
               f"{len(manifest['files'])}个文件、{len(manifest.get('archive', []))}个归档文件，校验和全部一致。")


@cli.command("verify")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def verify_command(path):
    """Check an archive's checksums without restoring it."""
    try:
        manifest = verify_archive(path)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"备份完好：{manifest['created_at']}，{len(manifest['files'])}个文件、"
               f"{len(manifest.get('archive', []))}个归档文件，校验和全部一致。")


@cli.command("prune")
@click.argument("directory", required=False, type=click.Path(file_okay=False))
@click.option("--keep", type=int, default=None, help="保留最近N份（默认取 LANMU_BACKUP_KEEP）")
def prune_command(directory, keep):
    """Delete all but the newest N archives."""
    for p in prune(directory, keep):
        click.echo(f"已删除旧备份：{p.name}")
    click.echo(f"现有备份{len(archives(directory or backup_dir()))}份。")
