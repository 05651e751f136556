import {describe, expect, it} from 'vitest'

import {tokenizeTypeScript} from '../../src/verify/lexers/typescript.js'

const show = (src: string) => tokenizeTypeScript(src).map((t) => `${t.type}:${t.value}@${t.line}:${t.column}`)

describe('tokenizeTypeScript', () => {
  it('drops comments and keeps counting lines through them', () => {
    const src = ['a // b "c"', '/* d', "'e' */ f", '  g'].join('\n')
    expect(show(src)).toEqual(['ident:a@1:1', 'ident:f@3:8', 'ident:g@4:3'])
  })

  it('reads quoted strings (escapes kept, unterminated ends at the text), numbers and punctuation', () => {
    expect(show('x = "a\\"b";\n1e3 + \'c')).toEqual([
      'ident:x@1:1',
      'punct:=@1:3',
      'string:a\\"b@1:6',
      'punct:;@1:11',
      'number:1e3@2:1',
      'punct:+@2:5',
      'string:c@2:8',
    ])
  })

  it('tokenizes template substitutions as code, nested braces and templates included', () => {
    const src = 'f(`one\n${ {k: `in`}.k } two`) + `plain`'
    expect(show(src)).toEqual([
      'ident:f@1:1',
      'punct:(@1:2',
      'punct:{@2:4',
      'ident:k@2:5',
      'punct::@2:6',
      'string:in@2:9',
      'punct:}@2:12',
      'punct:.@2:13',
      'ident:k@2:14',
      'template:one\n two@1:4',
      'punct:)@2:22',
      'punct:+@2:24',
      'string:plain@2:27',
    ])
  })

  it('tells a regular expression (with a `/` in a class, and flags) from a division', () => {
    expect(show('r = /[/]x\\//gi; y = a / b / c')).toEqual([
      'ident:r@1:1',
      'punct:=@1:3',
      'regex:/[/]x\\//gi@1:5',
      'punct:;@1:15',
      'ident:y@1:17',
      'punct:=@1:19',
      'ident:a@1:21',
      'punct:/@1:23',
      'ident:b@1:25',
      'punct:/@1:27',
      'ident:c@1:29',
    ])
    expect(show('return /x/')).toEqual(['ident:return@1:1', 'regex:/x/@1:8'])
  })
})
