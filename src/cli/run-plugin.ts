import { basename } from 'node:path';
import { openSession } from '../engine/session.ts';
import { hashFile } from '../node/file-hashes.ts';
import { NodeCompanions } from '../node/node-companions.ts';
import { NodeFileSource } from '../node/node-file-source.ts';
import { NodeOutputDir } from '../node/node-output-dir.ts';
import { kernelIsfText } from '../os/linux/isf-export.ts';
import { columnsFor } from '../plugins/plugin-definition.ts';
import type { PluginRow } from '../plugins/plugin.ts';
import { csvHeader, csvMetadata, csvRow } from '../render/csv.ts';
import {
  JSON_EXPORT_OPEN,
  jsonExportClose,
  jsonlMetadataLine,
  metadataFields,
  imageMetadata,
  type ExportMetadata,
} from '../render/export-metadata.ts';
import { jsonlRow } from '../render/jsonl.ts';
import { escapeControls } from '../render/terminal-text.ts';
import { textTable } from '../render/text-table.ts';
import { VolJsonWriter } from '../render/vol-json.ts';
import type { CliCommand } from './args.ts';
import { createNodeEnv } from './node-env.ts';
import { openEnrichment } from './enrichment.ts';
import { enrichmentColumns, enrichStream } from '../enrich/enrich-rows.ts';
import { MEMSCOPE_VERSION } from '../version.ts';
import { ProgressBar } from './progress-bar.ts';
import { discoveredIsfText } from '../os/windows/symbol-free/isf-export.ts';
import { warningLine } from './warning-line.ts';

type RunCommand = Extract<CliCommand, { kind: 'run' }>;

/** The files beside the image, or named with --vmss, that a two-file format (VMware) may ask for. */
export function companionsOf(command: { readonly file: string; readonly vmss?: string }): NodeCompanions {
  return new NodeCompanions(command.file, command.vmss === undefined ? [] : [command.vmss]);
}

/** Writes the table memscope derived from a Linux image (BTF + kallsyms) to stdout as a Volatility 3 ISF. */
export async function writeLinuxIsf(command: Extract<CliCommand, { kind: 'linux-isf' }>): Promise<number> {
  const env = await createNodeEnv({ symbolDirs: [], cache: command.cache });
  const session = await openSession(await NodeFileSource.open(command.file), env, companionsOf(command));
  try {
    process.stdout.write(kernelIsfText(await session.kernel('linux'), MEMSCOPE_VERSION));
    return 0;
  } finally {
    await session.close();
  }
}

/**
 * Writes the table memscope discovers in a Windows image with no symbol file (the process structures) to stdout as a
 * Volatility 3 ISF, and says on stderr where Volatility looks for it.
 */
export async function writeWindowsIsf(command: Extract<CliCommand, { kind: 'windows-isf' }>): Promise<number> {
  const env = await createNodeEnv({ symbolDirs: [], cache: command.cache });
  const session = await openSession(await NodeFileSource.open(command.file), env, companionsOf(command));
  try {
    const kernel = await session.kernel('windows');
    process.stdout.write(discoveredIsfText(kernel, MEMSCOPE_VERSION));
    const key = session.summary.symbolKey ?? 'ntkrnlmp.pdb/<GUID>-<AGE>';
    process.stderr.write(`memscope: for Volatility 3, save it as DIR/windows/${key}.json and pass -s DIR\n`);
    return 0;
  } finally {
    await session.close();
  }
}

/**
 * Opens the image, runs one plugin and writes its rows to stdout in the chosen format; with `--metadata`, then the
 * export metadata (the page's exports' fields, in the same forms).
 */
export async function runPlugin(command: RunCommand): Promise<number> {
  // Before the image is opened: a list that cannot be read or a missing key is a usage error, not a late surprise.
  const { enrich } = command;
  const enrichment = enrich && { ...enrich, ...(await openEnrichment(enrich.request)) };
  for (const note of enrichment?.notes ?? []) process.stderr.write(`memscope: warning: ${escapeControls(note)}\n`);
  const pluginColumns = columnsFor(command.plugin, command.options);
  const outputDir = await NodeOutputDir.at(command.outputDir);
  const env = await createNodeEnv({ symbolDirs: command.symbolDirs, symbolServer: command.symbolServer, cache: command.cache });
  const source = await NodeFileSource.open(command.file);
  const bar = new ProgressBar();
  const session = await openSession(source, { ...env, plugins: command.plugins }, companionsOf(command));
  const started = new Date();
  const run = session.run(command.plugin.name, command.options, { onProgress: (d, t, s) => bar.update(d, t, s), output: outputDir.create });
  const rows: AsyncIterable<PluginRow> = enrichment
    ? enrichStream(enrichment.provider, pluginColumns, enrichment.domainColumn, run, {
        onError: (e) => {
          bar.clear();
          process.stderr.write(enrichment.failureLine(e));
        },
      })
    : run;
  let rowCount = 0;
  const counted = async function* () {
    for await (const row of rows) {
      rowCount++;
      yield row;
    }
  };
  const metadata = async (): Promise<ExportMetadata> => {
    const seconds = (Date.now() - started.getTime()) / 1000;
    const hashes = command.hash ? await hashFile(command.file, (done) => bar.update(done, source.size, 'Hashing the image file')) : undefined;
    bar.clear();
    return {
      ...imageMetadata(basename(command.file), source.size, hashes),
      plugin: command.plugin.name,
      pluginVersion: command.plugin.version,
      options: command.options,
      runStarted: started.toISOString(),
      runSeconds: seconds,
      runStatus: 'complete',
      rowSelection: 'all',
      rowFilter: null,
      rowOrder: null,
      rowCount,
      totalRows: rowCount,
      exportedAt: new Date().toISOString(),
    };
  };
  try {
    const columns = enrichment ? [...pluginColumns, ...enrichmentColumns(pluginColumns)] : pluginColumns;
    const out = process.stdout;
    switch (command.renderer) {
      case 'table': {
        const all: PluginRow[] = [];
        for await (const row of counted()) all.push(row);
        bar.clear();
        out.write(textTable(columns, all));
        if (command.metadata)
          out.write(
            `\n${metadataFields(await metadata())
              .map(([key, value]) => `${key}: ${escapeControls(value)}\n`)
              .join('')}`,
          );
        break;
      }
      case 'json': {
        const writer = new VolJsonWriter(columns);
        if (command.metadata) out.write(JSON_EXPORT_OPEN);
        for await (const row of counted()) write(out, writer.push(row), bar);
        out.write(writer.end());
        if (command.metadata) out.write(jsonExportClose(await metadata()));
        break;
      }
      case 'jsonl':
        for await (const row of counted()) write(out, jsonlRow(columns, row), bar);
        if (command.metadata) out.write(jsonlMetadataLine(await metadata()));
        break;
      case 'csv':
        out.write(csvHeader(columns));
        for await (const row of counted()) write(out, csvRow(columns, row), bar);
        if (command.metadata) out.write(csvMetadata(columns, await metadata()));
        break;
    }
    return 0;
  } finally {
    bar.clear();
    // On stderr whatever the renderer, so stdout stays pure data; a run that failed says what it met before.
    for (const w of session.summary.warnings) process.stderr.write(`memscope: warning: ${escapeControls(w)}\n`);
    for (const w of run.warnings) process.stderr.write(warningLine(w));
    await outputDir.close();
    await session.close();
    await env.symbols.close?.();
  }
}

function write(out: NodeJS.WriteStream, text: string, bar: ProgressBar): void {
  if (!text) return;
  bar.clear();
  out.write(text);
}
