" Basic highlighting for Karmem schemas (*.km).
if exists('b:current_syntax')
  finish
endif

syntax keyword karmemHeader karmem
syntax keyword karmemStructure struct enum
syntax keyword karmemClass inline table
syntax keyword karmemBoolean true false
syntax keyword karmemPrimitive bool byte char int8 int16 int32 int64 uint8 uint16 uint32 uint64 float32 float64
syntax match karmemTag /@[A-Za-z_][A-Za-z0-9_.]*/
syntax match karmemNumber /\<-\?\d\+\>/
syntax match karmemNumber /\<0[xX]\x\+\>/
syntax match karmemArray /\[<\?\d*\]/ contains=karmemNumber
syntax region karmemString start=/"/ skip=/\\"/ end=/"/ oneline
syntax keyword karmemTodo contained TODO FIXME XXX NOTE
syntax match karmemDocComment "///.*$" contains=karmemTodo,@Spell
syntax match karmemComment "//\%(/\)\@!.*$" contains=karmemTodo,@Spell
syntax region karmemComment start="/\*" end="\*/" contains=karmemTodo,@Spell
syntax match karmemDeclName /\%(\<\%(struct\|enum\)\s\+\)\@<=\h\w*/

highlight default link karmemHeader Keyword
highlight default link karmemStructure Structure
highlight default link karmemClass StorageClass
highlight default link karmemBoolean Boolean
highlight default link karmemPrimitive Type
highlight default link karmemTag PreProc
highlight default link karmemNumber Number
highlight default link karmemArray Delimiter
highlight default link karmemString String
highlight default link karmemTodo Todo
highlight default link karmemDocComment SpecialComment
highlight default link karmemComment Comment
highlight default link karmemDeclName Identifier

let b:current_syntax = 'karmem'
