" Karmem schemas: *.km files get the `karmem` filetype (Neovim 0.7+ and Vim).
autocmd BufRead,BufNewFile *.km setfiletype karmem
