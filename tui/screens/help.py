"""Help: what each screen is for and its keys."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown

from assistant.i18n import tr
from tui.words import words

HELP_FR = """\
# relance — aide

**Rien ne part sans votre accord.** Chaque brouillon attend un « oui » d'une personne.

| Touche | Où | Action |
|---|---|---|
| F2 / F3 / F4 / F5 | partout | File · Appels · Politiques · Résultats |
| Ctrl+P | partout | Palette de commandes (créer les brouillons, envoyer…) |
| Entrée | file | Ouvrir le brouillon |
| a | file | Approuver le brouillon sous le curseur |
| Espace · A | file | Sélectionner (le curseur reste) · Approuver la sélection (confirmée) |
| u | file | Remettre en attente un brouillon approuvé (tant que l'envoi n'a pas commencé) |
| S | file | Envoyer les brouillons approuvés (après confirmation : nombre, total, destination) |
| r | file | Rejeter avec un motif (obligatoire) |
| s · / | file | Changer le tri · Chercher |
| [ · ] | file | Page précédente · suivante (500 lignes par page) |
| k | file | Trancher un envoi interrompu (statut « envoi en cours ») : parti ou à renvoyer |
| Ctrl+A | brouillon | Approuver (retouches comprises) et passer au suivant |
| Ctrl+U | brouillon | Remettre en attente (brouillon approuvé) |
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

⚠ dans la file : le texte actuel ne passe pas les contrôles (un montant, une date, une
référence, un IBAN, un lien, une adresse, un téléphone qui ne sont pas ceux du message, ou une
formule interdite). Les contrôles tournent pendant que vous tapez ; approuver malgré tout
demande un motif, enregistré. Seuls les contrôles ✓ sont approuvés en lot.
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
| Space · A | queue | Select (the cursor stays) · Approve the selection (confirmed) |
| u | queue | Put an approved draft back to pending (until the send starts) |
| S | queue | Send the approved drafts (once confirmed: count, total, destination) |
| r | queue | Reject with a reason (required) |
| s · / | queue | Change sort · Search |
| [ · ] | queue | Previous · next page (500 rows per page) |
| k | queue | Settle an interrupted send (status sending): sent or send again |
| Ctrl+A | draft | Approve (edits included) and go to the next |
| Ctrl+U | draft | Back to pending (approved draft) |
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

⚠ in the queue: the current text fails the checks (an amount, date, reference, IBAN,
link, address or phone number that is not the message's, or a forbidden phrase). The checks
run as you type; approving anyway asks for a reason, recorded. Only ✓ drafts are approved in
bulk.
"""


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,f1,question_mark", "close", words("Fermer", "Close"))]

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog wide"):
            yield Markdown(tr(HELP_FR, HELP_EN))

    def action_close(self) -> None:
        self.dismiss(None)
