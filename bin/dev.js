#!/usr/bin/env node
// Development entry: runs the TypeScript sources in src/ without a build, through tsx.
import {register} from 'tsx/esm/api'

register()
const {execute} = await import('@oclif/core')
await execute({development: true, dir: import.meta.url})
