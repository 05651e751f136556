import * as yaml from 'yaml'
import {readFileSync} from 'node:fs'
const src = readFileSync('bench/gitops-preview.ts','utf8')
