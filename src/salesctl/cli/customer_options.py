"""Arguments, options and column sets shared by the `customer` command modules (customer.py, customer_profile.py)."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

CustomerArg = Annotated[str, typer.Argument(help="Customer id or name.")]
ContactOpt = Annotated[Optional[str], typer.Option("--contact", help="Contact person (联系人).")]
TitleOpt = Annotated[Optional[str], typer.Option("--title", help="The contact's job title (职务).")]
PhoneOpt = Annotated[Optional[str], typer.Option("--phone", help="Phone: 13812345678, 010-12345678 or +44 20 7946 0958.")]
StatusOpt = Annotated[Optional[str], typer.Option("--status", help="跟进中/following, 已成交/won, 暂停/paused, 流失/lost.")]
IndustryOpt = Annotated[Optional[str], typer.Option("--industry", help="Industry (default: the owner's).")]
RegionOpt = Annotated[Optional[str], typer.Option("--region", help="Region (default: the owner's).")]
AddressOpt = Annotated[Optional[str], typer.Option("--address", help="Address.")]
WebsiteOpt = Annotated[Optional[str], typer.Option("--website", help="Web address.")]
EmailOpt = Annotated[Optional[str], typer.Option("--email", help="The customer's email address.")]
GradeOpt = Annotated[Optional[str], typer.Option("--grade", help="A, B, C or D (default: from --expected-purchase).")]
ExpectedOpt = Annotated[Optional[str], typer.Option("--expected-purchase", help="Expected purchase date (YYYY-MM-DD; 'none' clears).")]
CreditCodeOpt = Annotated[Optional[str], typer.Option("--credit-code", help="统一社会信用代码: 18 characters with the GB 32100 check character.")]
NotDuplicateOpt = Annotated[bool, typer.Option("--not-duplicate", help="A possible match (close trade name) is another company: add anyway (audited).")]
OwnerOpt = Annotated[Optional[str], typer.Option("--owner", help="Owner's handle (assistants must give one).")]


def _contact_columns():
    from salesctl.render import Column

    return [Column("id", kind="int"), Column("name"), Column("title", label="customer.col.title"), Column("phone"),
            Column("email"), Column("decision_maker", label="customer.col.decision_maker", kind="bool"),
            Column("primary", label="customer.col.primary", kind="bool")]


def _grade_columns():
    from salesctl.render import Column

    return [Column("at", kind="datetime"), Column("from", label="customer.col.from_grade"),
            Column("to", label="customer.col.to_grade"), Column("by", label="customer.col.by"),
            Column("source", label="customer.col.source", kind="enum:grade_source"), Column("reason"), Column("rule", label="customer.col.rule")]
