import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import {
  AiToolCreateSchema,
  CHECKLIST,
  DPIA_STATUSES,
  LEGAL_BASES,
  aiToolJson,
} from '../../privacy/ai-tools.js';
import { AppError } from '../../shared/errors.js';
import { listAiTools, registerExport, type RegisterFormat } from '../../usecases/manage-ai-tools.js';
import { withServices } from '../context.js';

const list = (s: string | undefined) =>
  s
    ?.split(',')
    .map((x) => x.trim())
    .filter(Boolean) ?? [];
const yesNo = (v: boolean | null) => (v === null ? 'inconnu' : v ? 'oui' : 'non');

async function assertOrg(store: { accounts: { orgs: { get(id: string): Promise<unknown> } } }, org: string) {
  if (!(await store.accounts.orgs.get(org)))
    throw new AppError('not_found', `Organisation introuvable : ${org}`);
}

/** `guichet ai-tools list|add|export`: the inventory of AI tools (same data as /v1/admin/ai-tools). */
export function registerAiTools(program: Command): void {
  const cmd = program
    .command('ai-tools')
    .description('Inventaire des outils d’IA de l’organisation (registre du DPO)');
  cmd
    .command('list')
    .description('Lister les outils d’IA (Guichet en tête, calculé depuis la configuration)')
    .option('--org <id>', 'organisation', 'default')
    .option('--json', 'sortie JSON')
    .action(async (o: { org: string; json?: boolean }) => {
      await withServices(async (s) => {
        await assertOrg(s.store, o.org);
        const tools = await listAiTools(s, o.org);
        if (o.json) {
          process.stdout.write(JSON.stringify({ object: 'list', data: tools }, null, 2) + '\n');
          return;
        }
        for (const t of tools) {
          const met = CHECKLIST.filter((c) => t.checklist[c.id] === true).length;
          process.stdout.write(
            `${t.id}\t${t.name}\t${t.provider || '—'}\tloi extra-UE : ${yesNo(t.foreign_law_exposure)}\tAIPD : ${DPIA_STATUSES[t.dpia_status]}\tCNIL : ${met}/${CHECKLIST.length}\n`,
          );
        }
      });
    });
  cmd
    .command('add')
    .description('Ajouter un outil d’IA à l’inventaire')
    .requiredOption('--name <nom>', 'nom de l’outil')
    .option('--purpose <texte>', 'finalité')
    .option('--services <liste>', 'services qui l’utilisent, séparés par des virgules')
    .option('--categories <liste>', 'catégories de données traitées, séparées par des virgules')
    .option('--personal-data', 'traite des données personnelles')
    .option('--sensitive-data', 'traite des données sensibles')
    .option('--provider <nom>', 'fournisseur')
    .option('--country <pays>', 'pays d’hébergement')
    .option('--foreign-laws <liste>', 'lois extra-européennes qui s’appliquent (ex. « US CLOUD Act »)')
    .option('--no-foreign-law', 'aucune loi extra-européenne ne s’applique')
    .option('--legal-basis <base>', `base légale (${Object.keys(LEGAL_BASES).join(', ')})`)
    .option('--dpia <statut>', `statut de l’AIPD (${Object.keys(DPIA_STATUSES).join(', ')})`)
    .option('--check <liste>', `points de contrôle CNIL remplis (${CHECKLIST.map((c) => c.id).join(', ')})`)
    .option('--notes <texte>', 'notes')
    .option('--org <id>', 'organisation', 'default')
    .option('--json', 'sortie JSON')
    .action(
      async (o: {
        name: string;
        purpose?: string;
        services?: string;
        categories?: string;
        personalData?: boolean;
        sensitiveData?: boolean;
        provider?: string;
        country?: string;
        foreignLaws?: string;
        foreignLaw: boolean;
        legalBasis?: string;
        dpia?: string;
        check?: string;
        notes?: string;
        org: string;
        json?: boolean;
      }) => {
        const laws = list(o.foreignLaws);
        const parsed = AiToolCreateSchema.safeParse({
          name: o.name,
          purpose: o.purpose,
          services: list(o.services),
          data: {
            categories: list(o.categories),
            personal_data: o.personalData === true,
            sensitive_data: o.sensitiveData === true,
          },
          provider: o.provider,
          hosting_country: o.country,
          foreign_law_exposure: laws.length ? true : o.foreignLaw === false ? false : null,
          foreign_laws: laws,
          legal_basis: o.legalBasis,
          dpia_status: o.dpia,
          checklist: Object.fromEntries(list(o.check).map((id) => [id, true])),
          notes: o.notes,
        });
        if (!parsed.success) {
          const issue = parsed.error.issues[0];
          throw new AppError(
            'invalid_request',
            `Outil refusé (${issue.path.join('.') || 'entrée'}) : ${issue.message}`,
          );
        }
        await withServices(async (s) => {
          await assertOrg(s.store, o.org);
          const { name, ...details } = parsed.data;
          const created = aiToolJson(await s.store.aiTools.create({ orgId: o.org, name, details }));
          process.stdout.write(
            o.json
              ? JSON.stringify(created, null, 2) + '\n'
              : `Outil ajouté à l’inventaire : ${created.id} (${created.name})\n`,
          );
        });
      },
    );
  cmd
    .command('export')
    .description('Exporter l’inventaire pour le registre du DPO (CSV, Markdown ou PDF)')
    .option('--format <format>', 'csv, md ou pdf', 'md')
    .option('--out <fichier>', 'fichier écrit (défaut : sortie standard)')
    .option('--org <id>', 'organisation', 'default')
    .action(async (o: { format: string; out?: string; org: string }) => {
      if (!['csv', 'md', 'pdf'].includes(o.format))
        throw new AppError('invalid_request', `Format inconnu : ${o.format} (attendu : csv, md ou pdf).`);
      await withServices(async (s) => {
        await assertOrg(s.store, o.org);
        const file = await registerExport(s, o.org, o.format as RegisterFormat);
        if (o.out) {
          writeFileSync(o.out, file.body);
          process.stderr.write(`Inventaire écrit dans ${o.out}\n`);
        } else process.stdout.write(file.body);
      });
    });
}
