"""Help: what each screen is for and its keys."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown

from assistant.i18n import tr

HELP_FR = """\
# relance — aide

**Rien ne part sans votre accord.** Chaque brouillon attend un « oui » d'une personne.

| Touche | Où | Action |
|---|---|---|
| F2 / F3 / F4 / F5 | partout | File · Appels · Politiques · Résultats |
| Ctrl+P | partout | Palette de commandes (créer les brouillons, envoyer…) |
| Entrée | file | Ouvrir le brouillon |
| a | file | Approuver le brouillon sous le curseur |
| Espace, puis A | file | Sélectionner, puis approuver la sélection (seulement les contrôles ✓) |
| r | file | Rejeter avec un motif |
| s · / | file | Changer le tri · Chercher |
| [ · ] | file | Page précédente · suivante (500 lignes par page) |
| k | file | Trancher un envoi interrompu (statut « envoi en cours ») : parti ou à renvoyer |
| Ctrl+A | brouillon | Approuver (avec vos retouches) et passer au suivant |
| Ctrl+S · Ctrl+R | brouillon | Enregistrer la retouche · Rejeter |
| Ctrl+G | brouillon | Régénérer : plus doux, plus ferme, plus court, autre langue |
| Échap | brouillon | Retour (ou annuler une régénération en cours) |
| l | appels | Saisir le résultat d'un appel |
| F7 | partout | Réponses des clients (relance inbox fetch / import) |
| a · c · t | réponses | Accepter la suggestion · Corriger (formulaire) · À traiter / toutes |
| Ctrl+E · Ctrl+S | politiques | Aperçu · Enregistrer (refusé si invalide) |
| d | résultats | Paiement après relance par ton, segment ou version de politique |
| F6 : a r e u | encaissements | Virement reçu : appliquer, rejeter, réaffecter, annuler |
| Ctrl+Q | partout | Quitter |

⚠ dans la file : le texte réécrit n'a pas passé les contrôles ; le modèle approuvé est utilisé.
"""

HELP_EN = """\
# relance — help

**Nothing leaves without your yes.** Every draft waits for a person's approval.

| Key | Where | Action |
|---|---|---|
| F2 / F3 / F4 / F5 | everywhere | Queue · Calls · Policies · Results |
| Ctrl+P | everywhere | Command palette (create drafts, send…) |
| Enter | queue | Open the draft |
| a | queue | Approve the draft under the cursor |
| Space, then A | queue | Select, then approve the selection (only ✓ checks) |
| r | queue | Reject with a reason |
| s · / | queue | Change sort · Search |
| [ · ] | queue | Previous · next page (500 rows per page) |
| k | queue | Settle an interrupted send (status sending): sent or send again |
| Ctrl+A | draft | Approve (with your edits) and go to the next |
| Ctrl+S · Ctrl+R | draft | Save the edit · Reject |
| Ctrl+G | draft | Regenerate: softer, firmer, shorter, other language |
| Esc | draft | Back (or cancel a regeneration in progress) |
| l | calls | Log a call's outcome |
| F7 | everywhere | Customer replies (relance inbox fetch / import) |
| a · c · t | replies | Accept the suggestion · Correct (form, customer) · To triage / all |
| Ctrl+E · Ctrl+S | policies | Preview · Save (refused when invalid) |
| d | results | Payment after reminder by tone, segment or policy version |
| F6: a r e u | receipts | Transfer received: apply, reject, reassign, undo |
| Ctrl+Q | everywhere | Quit |

⚠ in the queue: the rewrite failed its checks; the approved template is used.
"""


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,f1,question_mark", "close", tr("Fermer", "Close"))]

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog wide"):
            yield Markdown(tr(HELP_FR, HELP_EN))

    def action_close(self) -> None:
        self.dismiss(None)
