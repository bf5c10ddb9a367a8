" ALE linter for Karmem schemas: karmem-lsp over stdio (diagnostics, hover, go to
" definition, references, rename and completion through ALE's LSP support).
"
" g:ale_karmem_karmem_lsp_executable  the server binary (default: karmem-lsp)
" g:ale_karmem_karmem_lsp_config      karmem.* settings, e.g. {'karmem': {'compat': {'enabled': v:false}}}

call ale#Set('karmem_karmem_lsp_executable', 'karmem-lsp')
call ale#Set('karmem_karmem_lsp_config', {})

" The nearest directory holding karmem.toml, else .git, else the file's directory.
function! ale_linters#karmem#karmem_lsp#GetProjectRoot(buffer) abort
    let l:toml = ale#path#FindNearestFile(a:buffer, 'karmem.toml')
    if !empty(l:toml)
        return fnamemodify(l:toml, ':h')
    endif
    let l:git = ale#path#FindNearestDirectory(a:buffer, '.git')
    if !empty(l:git)
        return fnamemodify(l:git, ':h:h')
    endif
    return expand('#' . a:buffer . ':p:h')
endfunction

call ale#linter#Define('karmem', {
\   'name': 'karmem_lsp',
\   'lsp': 'stdio',
\   'executable': {b -> ale#Var(b, 'karmem_karmem_lsp_executable')},
\   'command': '%e --stdio',
\   'project_root': function('ale_linters#karmem#karmem_lsp#GetProjectRoot'),
\   'lsp_config': {b -> ale#Var(b, 'karmem_karmem_lsp_config')},
\})
