// A command of the bundle's explicit command index (scripts/bundle.mjs generates it from src/commands/**): what
// oclif needs to list, describe and complete a command comes from oclif.manifest.json, so the index holds, per
// command, only a stand-in whose `run` imports the command's own chunk then. A command thus loads its code and its
// dependencies (Octokit, the TypeScript parser, ajv, the registry client, yaml) only when it is the one that runs.
import type {Command, Config} from '@oclif/core'

type CommandClass = Command.Class & {id: string; plugin?: Command.Class['plugin']}

/** The stand-in for the command module `load` imports. */
export function lazyCommand(load: () => Promise<{default: CommandClass}>) {
  return class LazyCommand {
    /** Set by oclif when it finds the command. */
    static id: string
    static plugin: Command.Class['plugin']

    /** The command's real class, with the id and plugin oclif gave this stand-in. */
    static async load(): Promise<CommandClass> {
      const {default: real} = await load()
      real.id = this.id
      real.plugin = this.plugin
      return real
    }

    /** oclif's entry (`Command.run`): the real class runs. */
    static async run(argv: string[], config: Config): Promise<unknown> {
      return (await this.load()).run(argv, config)
    }
  }
}

/** The index oclif.manifest.json is generated from: the real classes (`oclif manifest` reads their flags). */
export async function eagerCommands(
  loaders: Record<string, () => Promise<{default: CommandClass}>>,
): Promise<Record<string, CommandClass>> {
  const entries = await Promise.all(Object.entries(loaders).map(async ([id, load]) => [id, (await load()).default]))
  return Object.fromEntries(entries) as Record<string, CommandClass>
}
