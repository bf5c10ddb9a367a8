;;; karmem-mode.el --- Major mode for Karmem schemas, with eglot support  -*- lexical-binding: t -*-

;; Version: 0.1.0
;; Package-Requires: ((emacs "27.1"))
;; Keywords: languages

;;; Commentary:

;; Highlighting and comment syntax for Karmem schema files (*.km), and the
;; `eglot-server-programs' entry that runs karmem-lsp for them:
;;
;;   (add-to-list 'load-path "/path/to/karmem-lsp/editors/emacs")
;;   (require 'karmem-mode)
;;   (add-hook 'karmem-mode-hook #'eglot-ensure)
;;
;; The project root is the nearest directory with a karmem.toml (see
;; `karmem-project-find'), else whatever project.el finds (the VCS root).

;;; Code:

(require 'project)

(defgroup karmem nil
  "Karmem schema language."
  :group 'languages)

(defcustom karmem-lsp-command '("karmem-lsp" "--stdio")
  "The command that runs the Karmem language server."
  :type '(repeat string))

(defconst karmem-font-lock-keywords
  `((,(regexp-opt '("karmem" "struct" "enum") 'symbols) . font-lock-keyword-face)
    (,(regexp-opt '("inline" "table") 'symbols) . font-lock-builtin-face)
    (,(regexp-opt '("true" "false") 'symbols) . font-lock-constant-face)
    (,(regexp-opt '("bool" "byte" "char" "int8" "int16" "int32" "int64"
                    "uint8" "uint16" "uint32" "uint64" "float32" "float64")
                  'symbols)
     . font-lock-type-face)
    ("\\_<\\(?:struct\\|enum\\)\\s-+\\([A-Za-z_][A-Za-z0-9_]*\\)" 1 font-lock-type-face)
    ("@[A-Za-z_][A-Za-z0-9_.]*" . font-lock-preprocessor-face))
  "Highlighting for `karmem-mode'.")

(defvar karmem-mode-syntax-table
  (let ((table (make-syntax-table)))
    (modify-syntax-entry ?/ ". 124b" table)
    (modify-syntax-entry ?* ". 23" table)
    (modify-syntax-entry ?\n "> b" table)
    (modify-syntax-entry ?_ "_" table)
    (modify-syntax-entry ?` "\"" table)
    table)
  "Syntax table for `karmem-mode'.")

;;;###autoload
(define-derived-mode karmem-mode prog-mode "Karmem"
  "Major mode for Karmem schemas."
  (setq-local comment-start "// ")
  (setq-local comment-end "")
  (setq-local comment-start-skip "//+\\s-*")
  (setq-local indent-tabs-mode nil)
  (setq-local tab-width 4)
  (setq-local font-lock-defaults '(karmem-font-lock-keywords)))

;;;###autoload
(add-to-list 'auto-mode-alist '("\\.km\\'" . karmem-mode))

(defun karmem-project-find (dir)
  "In a Karmem buffer, the project of DIR: the nearest karmem.toml above it."
  (let ((root (and (derived-mode-p 'karmem-mode)
                   (locate-dominating-file dir "karmem.toml"))))
    (and root (cons 'transient (expand-file-name root)))))

(add-hook 'project-find-functions #'karmem-project-find)

(defvar eglot-server-programs)

(with-eval-after-load 'eglot
  (add-to-list 'eglot-server-programs
               `(karmem-mode . ,(lambda (&rest _) karmem-lsp-command))))

(provide 'karmem-mode)
;;; karmem-mode.el ends here
