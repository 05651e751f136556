// What a tree in memory answers for Node's `Stats` and `Dirent` (./index.ts statSync, lstatSync, readdirSync).
import type {MemoryNode} from './tree.js'

/** A node's stat, as much of Node's `Stats` as readers use. */
export class MemoryStats {
  readonly size: number
  readonly mode: number
  readonly mtimeMs = 0
  constructor(private readonly node: MemoryNode) {
    this.size = node.kind === 'file' ? node.bytes.byteLength : node.kind === 'link' ? node.target.length : 4096
    this.mode = node.kind === 'dir' ? 0o40755 : node.kind === 'link' ? 0o120777 : node.executable ? 0o100755 : 0o100644
  }
  isFile = (): boolean => this.node.kind === 'file'
  isDirectory = (): boolean => this.node.kind === 'dir'
  isSymbolicLink = (): boolean => this.node.kind === 'link'
  isBlockDevice = (): boolean => false
  isCharacterDevice = (): boolean => false
  isFIFO = (): boolean => false
  isSocket = (): boolean => false
}

/** A folder's entry, as Node's `Dirent` (its kind without following a link). */
export class MemoryDirent extends MemoryStats {
  constructor(
    readonly name: string,
    readonly parentPath: string,
    node: MemoryNode,
  ) {
    super(node)
  }
  get path(): string {
    return this.parentPath
  }
}
